"""Production mode refuses insecure defaults at start-up, naming the setting (fresh interpreters)."""

import os
import subprocess
import sys

import pytest

LOAD = "import django; django.setup(); from django.conf import settings; print('loaded', settings.DEBUG)"
GOOD = {
    "ZHICHAN_ENV": "production",
    "ZHICHAN_SECRET_KEY": "k" * 20 + "-random-enough-for-a-test-0123456789",
    "ZHICHAN_ALLOWED_HOSTS": "ip.example.gov.cn",
    "DATABASE_URL": "postgres://zhichan@127.0.0.1:5432/zhichan",
    "REDIS_URL": "redis://127.0.0.1:6379/5",
}
PASSED_THROUGH = ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR")


def run(tmp_path, code=LOAD, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHAN_") and k not in PASSED_THROUGH}
    clean.update(DJANGO_SETTINGS_MODULE="zhichan.settings", ZHICHAN_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60, check=False
    )


def test_production_with_everything_set_loads(tmp_path):
    result = run(tmp_path, **GOOD)
    assert result.returncode == 0, result.stderr
    assert "loaded False" in result.stdout


def test_demo_mode_loads_with_no_settings_at_all(tmp_path):
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("ZHICHAN_SECRET_KEY", "ZHICHAN_SECRET_KEY"),
        ("ZHICHAN_ALLOWED_HOSTS", "ZHICHAN_ALLOWED_HOSTS"),
        ("DATABASE_URL", "DATABASE_URL"),
        ("REDIS_URL", "REDIS_URL"),
    ],
)
def test_production_refuses_a_missing_setting_by_name(tmp_path, missing, named):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = run(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr
    assert "loaded" not in result.stdout


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"ZHICHAN_SECRET_KEY": "too-short"}, "ZHICHAN_SECRET_KEY"),
        ({"ZHICHAN_SECRET_KEY": "zhichan-demo-only-insecure-key"}, "ZHICHAN_SECRET_KEY"),
        ({"ZHICHAN_DEBUG": "1"}, "ZHICHAN_DEBUG"),
        ({"ZHICHAN_ALLOWED_HOSTS": " , "}, "ZHICHAN_ALLOWED_HOSTS"),
        ({"ZHICHAN_ALLOWED_HOSTS": "ip.example.gov.cn,*"}, "ZHICHAN_ALLOWED_HOSTS"),
        ({"ZHICHAN_CSRF_TRUSTED_ORIGINS": "http://ip.example.gov.cn"}, "ZHICHAN_CSRF_TRUSTED_ORIGINS"),
        ({"ZHICHAN_METRICS_TOKEN": "short"}, "ZHICHAN_METRICS_TOKEN"),
    ],
)
def test_production_refuses_an_insecure_value_by_name(tmp_path, override, named):
    result = run(tmp_path, **{**GOOD, **override})
    assert result.returncode != 0
    assert named in result.stderr


def test_every_problem_is_named_at_once(tmp_path):
    result = run(tmp_path, ZHICHAN_ENV="production")
    assert result.returncode != 0
    for name in ("ZHICHAN_SECRET_KEY", "ZHICHAN_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        assert name in result.stderr


@pytest.mark.parametrize("workers", [{"ZHICHAN_WEB_WORKERS": "3"}, {"WEB_CONCURRENCY": "2"}, {}])
def test_production_refuses_sqlite_with_several_web_workers(tmp_path, workers):
    sqlite = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = run(tmp_path, **{**GOOD, **sqlite, **workers})
    assert result.returncode != 0
    assert "ZHICHAN_WEB_WORKERS" in result.stderr
    assert "SQLite" in result.stderr


def test_production_accepts_sqlite_with_one_web_worker(tmp_path):
    sqlite = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "ZHICHAN_WEB_WORKERS": "1"}
    result = run(tmp_path, **{**GOOD, **sqlite})
    assert result.returncode == 0, result.stderr


def test_production_trusts_the_proxy_scheme_header_and_logs_json(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.LOGGING['handlers']['console']['formatter'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHAN_") and k not in PASSED_THROUGH}
    clean.update(DJANGO_SETTINGS_MODULE="zhichan.settings", ZHICHAN_DATA_DIR=str(tmp_path), **GOOD)
    result = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "('HTTP_X_FORWARDED_PROTO', 'https') json" in result.stdout


STORE = "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['default'])"


def test_an_s3_file_store_needs_its_bucket_named_and_then_holds_every_area(tmp_path):
    refused = run(tmp_path, **GOOD, ZHICHAN_FILE_STORE="s3")
    assert refused.returncode != 0 and "ZHICHAN_S3_BUCKET" in refused.stderr
    assert "ZHICHAN_S3_BUCKET" in run(tmp_path, ZHICHAN_FILE_STORE="s3").stderr  # in demo mode too
    assert "ZHICHAN_FILE_STORE" in run(tmp_path, ZHICHAN_FILE_STORE="ftp").stderr
    chosen = run(tmp_path, STORE, **GOOD, ZHICHAN_FILE_STORE="s3", ZHICHAN_S3_BUCKET="zhichan-files")
    assert chosen.returncode == 0, chosen.stderr
    assert "zhichan.core.s3.TrackedS3Storage" in chosen.stdout


MAIL = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_PORT)"
)


def test_production_sends_mail_by_smtp_unless_told_otherwise(tmp_path):
    # Printing mails (the demo's console backend) would put their tracking links in the journal.
    assert run(tmp_path, code=MAIL).stdout.split() == ["django.core.mail.backends.console.EmailBackend", "25"]
    result = run(tmp_path, code=MAIL, ZHICHAN_EMAIL_PORT="587", **GOOD)
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "587"], result.stderr
