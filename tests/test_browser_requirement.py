"""A missing Chromium skips the browser tests, or fails them when ZHICHAN_REQUIRE_BROWSER=1 (CI)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ONE_BROWSER_TEST = "tests/browser/test_portal.py::test_home_is_chinese_and_switches_to_english"


def run_browser_test(tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("ZHICHAN_REQUIRE_BROWSER", "DATABASE_URL")}
    full.update(ZHICHAN_CHROMIUM=str(tmp_path / "no-such-chromium"), ZHICHAN_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", ONE_BROWSER_TEST],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_chromium_skips_by_default(tmp_path):
    result = run_browser_test(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "Chromium not found" in result.stdout


@pytest.mark.parametrize("value", ["1", "true"])
def test_missing_chromium_fails_when_required(tmp_path, value):
    result = run_browser_test(tmp_path, ZHICHAN_REQUIRE_BROWSER=value)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ZHICHAN_REQUIRE_BROWSER=1 but Chromium not found" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]
