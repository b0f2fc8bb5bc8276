"""Security headers on every page, and pages the Content-Security-Policy does not break.

The policy allows scripts and styles only from the site's own files, so no page may carry an
inline <script>, an on*= event handler, a style= attribute or a javascript: URL. Every named URL
that reverses without arguments is rendered anonymously and as a city administrator, plus a
sample of pages with arguments from the test world.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

import zhichan

SRC = Path(zhichan.__file__).resolve().parent
# Django's admin is Django's own (it keeps to a CSP of its own making); the JSON API has no HTML.
SKIP_PREFIXES = ("admin:", "api:")
SKIP = {"accounts:logout", "healthz"}


def _named_urls():
    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    urls = []
    for name in dict.fromkeys(walk(get_resolver(), None)):
        if name in SKIP or name.startswith(SKIP_PREFIXES):
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return urls + [reverse("api:openapi-view")]


class InlineCodeFinder(HTMLParser):
    DATA_SCRIPTS = {"application/json", "application/ld+json"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            elif name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value}>")
        if tag == "script" and not values.get("src") and values.get("type") not in self.DATA_SCRIPTS:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("inline <style>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def test_finder_sees_each_kind_of_inline_code():
    html = (
        '<button onclick="x()">a</button><div style="color:red"></div><a href="javascript:x()">b</a>'
        '<script>x()</script><style>p{}</style><script src="/static/a.js"></script>'
        '<script type="application/json">{}</script>'
    )
    assert len(inline_code(html)) == 5


def _check(response, url):
    # 503: a page whose data is not loaded says so (the diagnosis without its questionnaire).
    assert response.status_code in {200, 204, 301, 302, 400, 403, 404, 405, 503}, (url, response.status_code)
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ):
        assert directive in csp, (url, csp)
    assert "unsafe-inline" not in csp
    if response["Content-Type"].startswith("text/html"):
        assert inline_code(response.content.decode()) == [], url


def _by_app():
    groups = {}
    for url in _named_urls():
        groups.setdefault(url.strip("/").split("/")[0] or "home", []).append(url)
    return groups


URLS_BY_APP = _by_app()


def test_the_walk_finds_the_pages():
    assert sum(len(urls) for urls in URLS_BY_APP.values()) > 80
    assert "/" in URLS_BY_APP["home"] and "/accounts/login/" in URLS_BY_APP["accounts"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "city_admin"])
@pytest.mark.parametrize("app", sorted(URLS_BY_APP))
def test_every_page_has_the_csp_and_no_inline_code(client, world, app, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    for url in URLS_BY_APP[app]:
        _check(client.get(url), url)


@pytest.mark.django_db
def test_pages_with_arguments_have_no_inline_code(client, world):
    urls = [
        reverse("catalog:guide", args=["TM-REG"]),
        reverse("catalog:print", args=["TM-REG"]),
        reverse("agencies:detail", args=[world.centre_a.pk]),
    ]
    client.force_login(world.users.city_admin)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _check(response, url)


def test_templates_have_no_inline_code():
    # Also the branches the rendered pages above do not reach.
    problems = {}
    for path in SRC.rglob("templates/**/*.html"):
        if "admin" in path.parts:
            continue
        found = inline_code(path.read_text())
        if found:
            problems[str(path.relative_to(SRC))] = found
    assert problems == {}


def test_other_security_headers(client, db):
    response = client.get(reverse("portal:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    # Demo mode on plain http: no HSTS, no redirect.
    assert "Strict-Transport-Security" not in response


def test_production_headers_and_cookies(client, db, settings):
    # What settings.py sets when ZHICHAN_ENV=production (tests/test_settings_production.py checks that).
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    assert client.get("/healthz").status_code != 301  # the local health check stays on http


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_HTTPONLY)"
)


def _settings_in(tmp_path, **env):
    import os
    import subprocess
    import sys

    from tests.test_settings_production import GOOD

    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHAN_") and k != "DATABASE_URL"}
    clean.update(DJANGO_SETTINGS_MODULE="zhichan.settings", ZHICHAN_DATA_DIR=str(tmp_path))
    if env.pop("production", True):
        clean.update(GOOD)
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "-c", SHOW], env=clean, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_settings_turn_on_hsts_redirect_and_secure_cookies(tmp_path):
    assert _settings_in(tmp_path) == ["31536000", "False", "True", "True", "True", "Lax", "True"]
    assert _settings_in(
        tmp_path, ZHICHAN_HSTS_SECONDS="600", ZHICHAN_HSTS_INCLUDE_SUBDOMAINS="1", ZHICHAN_SSL_REDIRECT="0"
    )[:3] == ["600", "True", "False"]
    # The demo on plain http: no HSTS, no redirect, cookies usable over http.
    assert _settings_in(tmp_path, production=False)[:5] == ["0", "False", "False", "False", "False"]
