import os

import pytest
from django.core.cache import cache
from django.utils import translation

from tests.factories import make_world


def pytest_configure(config):
    from django.conf import settings

    # Password hashing at full strength makes each test user cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run as they are enqueued, in memory: nothing reaches a real queue (SQLite file or Redis).
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    config.addinivalue_line("markers", "smoke: starts the real portal and worker processes (seconds)")
    # Parallel workers (pytest-xdist) share one Redis database: each keeps to its own keys.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and settings.CACHES["default"]["BACKEND"].endswith(".RedisCache"):
        settings.CACHES["default"].update(BACKEND="tests.cache.WorkerRedisCache", KEY_PREFIX=worker)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Redis keeps cached values between tests; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _search_index_dir(settings, tmp_path_factory):
    # Imports index what they write: each test gets its own (lazily created) search index.
    from zhichan.ipdata.search import service

    settings.ZHICHAN_SEARCH_DIR = tmp_path_factory.mktemp("search")
    service.reset_backends()
    yield
    service.reset_backends()


@pytest.fixture(autouse=True)
def _screening_index_dir(settings, tmp_path_factory):
    # Trademark imports rebuild the screening index: each test gets its own directory.
    settings.ZHICHAN_SCREENING_DIR = tmp_path_factory.mktemp("screening") / "index"
    # No background refresh threads in tests (tests/screening/test_refresh.py runs it directly).
    settings.ZHICHAN_SCREENING_REFRESH_SECONDS = 0


@pytest.fixture
def world(db):
    """Two counties with a park, agencies in each, a published catalogue item, a user per role."""
    return make_world()


@pytest.fixture
def english(settings):
    """Pages and messages in English, the source language, for tests that quote their wording."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
