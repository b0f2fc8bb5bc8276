"""The files in deploy/ hang together: units run commands that exist, the gunicorn config loads,
nginx serves the folders and limits the env example names (cheap checks; no systemd or nginx)."""

import configparser
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import gunicorn.config
import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VENV_BIN = "/opt/zhichan/.venv/bin/"
UNITS = ["zhichan-web.service", "zhichan-worker.service", "zhichan-backup.service", "zhichan-backup.timer"]


def unit(name):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read_string((DEPLOY / name).read_text())
    return parser


def env_example():
    pairs = {}
    for line in (DEPLOY / "zhichan.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


@pytest.mark.parametrize("name", [n for n in UNITS if n.endswith(".service")])
def test_service_units_run_commands_that_exist(name):
    service = unit(name)["Service"]
    assert service["User"] == "zhichan"
    assert service["EnvironmentFile"] == "/etc/zhichan/env"
    argv = shlex.split(service["ExecStart"])
    assert argv[0].startswith(VENV_BIN)
    program = argv[0].removeprefix(VENV_BIN)
    assert program in {"gunicorn", "zhichan"}
    if program == "zhichan":
        command = {"worker": "run_huey"}.get(argv[1], argv[1])
        assert command in get_commands(), argv
    else:
        config = argv[argv.index("--config") + 1]
        assert config == "/opt/zhichan/deploy/gunicorn.conf.py"


def test_the_timer_starts_the_backup_with_retention():
    timer = unit("zhichan-backup.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"
    command = unit("zhichan-backup.service")["Service"]["ExecStart"]
    assert "backup --output /var/backups/zhichan --keep 14" in command


def test_the_gunicorn_config_loads_and_knows_its_settings(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("ZHICHAN_WEB_WORKERS", "5")
    values = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    known = {s.name for s in gunicorn.config.KNOWN_SETTINGS}
    for name, value in values.items():
        if not name.startswith("_") and not callable(value) and not isinstance(value, type(re)):
            assert name in known, name
    assert values["workers"] == 5
    assert values["bind"] == "127.0.0.1:8000"
    assert values["accesslog"] is None  # the application logs access, without query strings
    # the settings count workers from the same variables, with the same default
    source = (ROOT / "src/zhichan/settings.py").read_text()
    assert 'os.environ.get("ZHICHAN_WEB_WORKERS") or os.environ.get("WEB_CONCURRENCY") or "3"' in source
    monkeypatch.delenv("ZHICHAN_WEB_WORKERS")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == 3


def test_the_env_example_names_real_settings_and_holds_no_secret():
    env = env_example()
    source = (ROOT / "src/zhichan/settings.py").read_text() + (DEPLOY / "gunicorn.conf.py").read_text()
    for key in env:
        assert f'"{key}"' in source or key == "PROMETHEUS_MULTIPROC_DIR", key
    for secret in ("ZHICHAN_SECRET_KEY", "ZHICHAN_SURVEY_KEY", "ZHICHAN_METRICS_TOKEN"):
        assert env[secret] == ""
    assert env["ZHICHAN_ENV"] == "production"


def mb(text):
    return float(text.removesuffix("m"))


def test_nginx_serves_static_only_and_proxies_with_the_headers():
    env = env_example()
    site = (DEPLOY / "nginx-zhichan.conf").read_text()
    proxy = (DEPLOY / "nginx-zhichan-proxy.conf").read_text()
    assert site.count("{") == site.count("}")
    assert f"alias {env['ZHICHAN_STATIC_ROOT']}/;" in site
    assert f"location {settings.STATIC_URL} " in site
    assert "media" not in re.findall(r"location[^{]*", site).__str__()  # uploads are private
    assert env["ZHICHAN_MEDIA_ROOT"] not in site and env["ZHICHAN_DATA_DIR"] not in site
    assert f"server {env['ZHICHAN_BIND']}" in site
    assert "return 301 https://" in site and "Strict-Transport-Security" in site
    assert re.search(r"location = /metrics \{\s*return 404;", site)
    for header in ("X-Forwarded-Proto $scheme", "X-Request-ID $request_id", "Host $host"):
        assert f"proxy_set_header {header};" in proxy
    sizes = [mb(s) for s in re.findall(r"client_max_body_size (\d+m);", site)]
    assert min(sizes) > float(env["ZHICHAN_UPLOAD_MAX_MB"]) == settings.ZHICHAN_UPLOAD_MAX_MB
    assert max(sizes) > float(env["ZHICHAN_IMPORT_MAX_MB"]) == settings.ZHICHAN_IMPORT_MAX_MB
    # logrotate covers the logs nginx writes
    logs = set(re.findall(r"/var/log/nginx/zhichan-\w+\.log", site))
    assert logs and "/var/log/nginx/zhichan-*.log" in (DEPLOY / "logrotate-zhichan").read_text()


NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


@pytest.mark.skipif(not NGINX, reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path):
    # `nginx -t` on the shipped site and snippet, with paths moved into tmp_path: catches what
    # reading the text cannot (a directive twice in one location, an unknown one).
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
         "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    snippet = tmp_path / "zhichan-proxy.conf"
    snippet.write_text((DEPLOY / "nginx-zhichan-proxy.conf").read_text())
    site = (DEPLOY / "nginx-zhichan.conf").read_text()
    site = site.replace("/etc/nginx/snippets/zhichan-proxy.conf", str(snippet))
    site = site.replace("/etc/ssl/zhichan/", f"{tmp_path}/").replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_guide_points_at_every_file():
    guide = (ROOT / "docs/deployment.md").read_text()
    for path in DEPLOY.iterdir():
        assert f"deploy/{path.name}" in guide, path.name


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    bin_dir = Path(sys.executable).parent
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace(VENV_BIN, f"{bin_dir}/")
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Unknown key" not in result.stderr and "Unknown section" not in result.stderr


def test_gunicorn_logs_json_lines_in_production(monkeypatch):
    monkeypatch.setenv("ZHICHAN_ENV", "production")
    monkeypatch.delenv("ZHICHAN_LOG_FORMAT", raising=False)
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["logconfig_dict"]
    assert config["formatters"]["json"]["()"] == settings.LOGGING["formatters"]["json"]["()"]
    assert config["loggers"]["gunicorn.error"]["handlers"] == ["console"]
    monkeypatch.setenv("ZHICHAN_LOG_FORMAT", "text")
    assert "logconfig_dict" not in runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_collectstatic_with_the_production_storage(tmp_path, settings):
    # Production hashes and compresses the static files; a reference to a missing file (a
    # source map named by a vendored asset, say) stops collectstatic during installation.
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert any(tmp_path.glob("vendor/bootstrap/bootstrap.min.*.css.gz"))
