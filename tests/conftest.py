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


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server (moto's) on a free loopback port, for the whole session."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_store(s3_server, settings, monkeypatch):
    """Every file area in a fresh bucket of the S3 server (ZHICHAN_FILE_STORE=s3); yields the
    bucket (a boto3 Bucket) to look into."""
    import uuid

    import boto3
    from django.utils.functional import empty

    from zhichan.cases.models import case_files
    from zhichan.custody.models import custody_files

    # Test credentials for the local server; boto3 reads them from the environment.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    name = f"zc-test-{uuid.uuid4().hex[:12]}"
    bucket = boto3.resource("s3", endpoint_url=s3_server, region_name="us-east-1").Bucket(name)
    bucket.create()
    settings.ZHICHAN_FILE_STORE = "s3"
    settings.ZHICHAN_S3_BUCKET = name
    settings.ZHICHAN_S3_ENDPOINT_URL = s3_server
    settings.ZHICHAN_S3_REGION = "us-east-1"
    settings.ZHICHAN_S3_PREFIX = "zhichan"
    settings.ZHICHAN_S3_ADDRESSING_STYLE = "path"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "zhichan.core.s3.TrackedS3Storage"}}
    case_files._wrapped = empty
    custody_files._wrapped = empty
    yield bucket
    case_files._wrapped = empty
    custody_files._wrapped = empty
    bucket.objects.all().delete()
    bucket.delete()
