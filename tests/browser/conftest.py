"""Playwright driving Debian's Chromium (headless) against pytest-django's live server.

Chromium comes from the system (`/usr/bin/chromium` or ZHICHAN_CHROMIUM); Playwright's own
browser downloads are never used. Without Chromium the tests are skipped, unless
ZHICHAN_REQUIRE_BROWSER=1 (as in CI), which turns a missing browser into a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls
# are still synchronous and single-threaded, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """$ZHICHAN_CHROMIUM when set (an explicit choice is not second-guessed), else Debian's."""
    explicit = os.environ.get("ZHICHAN_CHROMIUM", "").strip()
    candidates = [explicit] if explicit else ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None if explicit else shutil.which("chromium")


def browser_required() -> bool:
    return os.environ.get("ZHICHAN_REQUIRE_BROWSER", "").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        message = (
            "Chromium not found (looked at $ZHICHAN_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser); "
            "install Debian's 'chromium' package, e.g. `sh scripts/ensure-chromium`"
        )
        if browser_required():
            pytest.fail(f"ZHICHAN_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        if browser_required():
            pytest.fail(f"ZHICHAN_REQUIRE_BROWSER=1 but playwright is not importable: {exc}", pytrace=False)
        pytest.skip(f"playwright is not installed: {exc}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (own cookies) per test; `page.base_url` is the live server."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
