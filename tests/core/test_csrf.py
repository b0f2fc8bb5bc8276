"""CSRF on every form: each POST form in the templates carries the token, the middleware is on,
the only view exempt from it is the read-only health check, and every API write made with a
logged-in session needs the token too."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import get_resolver

SRC = Path(__file__).resolve().parents[2] / "src" / "zhichan"
POST_FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', re.S | re.I)


def test_every_post_form_carries_the_token():
    forms = missing = 0
    for template in SRC.rglob("*.html"):
        for form in POST_FORM.finditer(template.read_text(encoding="utf-8")):
            forms += 1
            missing += "{% csrf_token %}" not in form.group(1)
            assert "{% csrf_token %}" in form.group(1), f"{template.relative_to(SRC)}: {form.group(0)[:80]}"
    assert forms > 100 and missing == 0


def _views(patterns):
    for entry in patterns:
        if hasattr(entry, "url_patterns"):
            yield from _views(entry.url_patterns)
        else:
            yield entry.callback


def test_the_middleware_is_on_and_only_machine_endpoints_are_exempt():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    exempt = {
        f"{view.__module__}.{view.__name__}"
        for view in _views(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False)
    }
    # django-ninja's API views check CSRF themselves for cookie sessions (api.csrf / django_auth).
    exempt = {name for name in exempt if not name.startswith("ninja.")}
    assert exempt == {"zhichan.core.health.healthz"}  # /metrics is answered by its middleware


def _api_writes():
    from zhichan.api import api

    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method in item:
            if method in ("post", "put", "patch", "delete"):
                yield method, "/api/v1" + re.sub(r"\{[^}]+\}", "1", path.removeprefix("/api/v1"))


def test_api_writes_with_a_session_need_the_token(db, world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.city_admin)
    answers = {}
    for method, path in _api_writes():
        response = getattr(client, method)(path, data="{}", content_type="application/json")
        answers[f"{method.upper()} {path}"] = response.status_code
    assert len(answers) > 30
    assert {k: v for k, v in answers.items() if v != 403} == {}
