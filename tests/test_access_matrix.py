"""Who sees and changes what, for every model and every role, through querysets, the API and pages.

The cases are generated from tests/access_specs.py: models x the nine roles x view/change x
channel. Nothing leaks (what a role may not see is neither listed nor shown: 404/403), what it
may see is shown, and a refused write answers 401/403/404 and changes neither the record nor
its related rows. A model missing from the table fails test_every_model_is_classified.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.access_specs import INTERNAL, ROLES, SPECS, build_world
from zhichan.core.permissions import RestrictedQuerySet

SPEC_LIST = list(SPECS)
REFUSED_API = {401, 403, 404}
REFUSED_PAGE = {403, 404}


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """One world for the whole module, rolled back at its end, with a signed-in session per role."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            world.sessions = {}
            for role, user in world.people.items():
                if user.is_authenticated:
                    client = Client()
                    client.force_login(user)
                    world.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def db(matrix):
    """Overrides pytest-django's `db` in this module: each case runs in a savepoint of the module's
    transaction. The thousands of cases here would each pay for its test-case set-up; the name
    keeps pytest-django setting up the test database for them."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def world(matrix, db):
    return matrix


def _client(world, role):
    client = Client()
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def _record(world, spec):
    obj = world.records[spec.name]
    return spec.model._base_manager.get(pk=obj.pk)


def _snapshot(spec, pk):
    """The record's column values and how many rows point at it."""
    model = spec.model
    rows = list(model._base_manager.filter(pk=pk).values())
    related = {}
    if rows:
        obj = model._base_manager.get(pk=pk)
        for rel in model._meta.related_objects:
            if rel.one_to_many or rel.many_to_many:
                related[rel.get_accessor_name()] = getattr(obj, rel.get_accessor_name()).count()
            elif rel.one_to_one:
                related[rel.get_accessor_name()] = rel.related_model._base_manager.filter(
                    **{rel.field.name: obj}
                ).count()
    return rows, related


def _listed(response, spec):
    body = response.json()
    rows = body.get("items", body.get("results")) if isinstance(body, dict) else body
    assert isinstance(rows, list), f"unexpected list body {str(body)[:200]}"
    return {row.get(spec.list_key) for row in rows if isinstance(row, dict)}


def _refused_page(response):
    if response.status_code in REFUSED_PAGE:
        return True
    return response.status_code == 302 and "/accounts/login" in response.headers.get("Location", "")


# -- classification --------------------------------------------------------------------------


def test_every_model_is_classified():
    specified = {spec.model._meta.label for spec in SPEC_LIST}
    ours = {m._meta.label for m in apps.get_models() if m.__module__.startswith("zhichan.")}
    missing = sorted(ours - specified - set(INTERNAL))
    assert not missing, (
        f"Classify {missing} in tests/access_specs.py: add an access spec to _RAW_SPECS, "
        "or list the model in INTERNAL with the reason it has no user-facing read."
    )
    assert not specified & set(INTERNAL), "a model is both specified and internal"
    assert not (set(INTERNAL) - ours), f"INTERNAL names models that are gone: {sorted(set(INTERNAL) - ours)}"


def test_restricted_models_have_specs_and_internal_ones_no_rule():
    for model in apps.get_models():
        label = model._meta.label
        restricted = isinstance(model._default_manager.all(), RestrictedQuerySet)
        if label in INTERNAL:
            assert not restricted, f"{label} has a restrict rule: give it an access spec instead of INTERNAL"
        elif model.__module__.startswith("zhichan."):
            assert restricted, f"{label} has an access spec but no RestrictedQuerySet"


# -- the matrix --------------------------------------------------------------------------------


def _params(channel):
    for spec in SPEC_LIST:
        if channel == "api" and not (spec.api_list or spec.api_detail):
            continue
        if channel == "page" and not spec.page_detail:
            continue
        for role in ROLES:
            yield pytest.param(spec, role, id=f"{spec.name}-{role}-{channel}")


def _page_list_params():
    for spec in SPEC_LIST:
        for index, (url, _who) in enumerate(spec.page_lists):
            for role in ROLES:
                yield pytest.param(
                    spec, role, index, id=f"{spec.name}-{role}-page-list{url.replace('/', '_')}"
                )


def _more_params(channel):
    for spec in SPEC_LIST:
        more = spec.api_more if channel == "api" else spec.page_more
        for index, (url, _who) in enumerate(more):
            tail = url(SimpleNamespace(pk=0, code="x")).rstrip("/").rsplit("/", 1)[-1]
            for role in ROLES:
                yield pytest.param(spec, role, index, id=f"{spec.name}-{role}-{channel}-{tail}")


def _restrict_params():
    for spec in SPEC_LIST:
        for role in ROLES:
            yield pytest.param(spec, role, id=f"{spec.name}-{role}-restrict")


def _write_params():
    for spec in SPEC_LIST:
        for role in ROLES:
            if role in spec.who_writes():
                continue
            for i, write in enumerate(spec.writes):
                yield pytest.param(spec, role, i, id=f"{spec.name}-{role}-{write.label}{i}")


@pytest.mark.parametrize("spec,role", list(_restrict_params()))
def test_restrict(world, spec, role):
    obj = world.records[spec.name]
    user = world.people[role]
    wrong = []
    for action in ("view", "change"):
        expected = role in getattr(spec, action)
        found = spec.model.objects.restrict(user, action).filter(pk=obj.pk).exists()
        if found != expected:
            wrong.append(f"{action} {'misses' if expected else 'leaks'}")
    assert not wrong, f"{spec.model.__name__} restrict({role}): {', '.join(wrong)}"


@pytest.mark.parametrize("spec,role", list(_params("api")))
def test_api(world, spec, role):
    obj = _record(world, spec)
    client = _client(world, role)
    visible = role in spec.who_reads("api")
    if spec.api_list:
        response = client.get(spec.api_list)
        listed = role in spec.who_reads("list")
        if listed:
            assert response.status_code == 200, f"{spec.api_list} answered {response.status_code} to {role}"
            assert spec.list_value(obj) in _listed(response, spec), f"{spec.api_list} misses it for {role}"
        elif response.status_code == 200:
            leak = "leaks it" if not visible else "shows more than its channel's rule"
            assert spec.list_value(obj) not in _listed(response, spec), f"{spec.api_list} {leak} to {role}"
        else:
            assert response.status_code in REFUSED_API, f"{spec.api_list}: {response.status_code}"
    if spec.api_detail:
        url = spec.api_detail(obj)
        status = client.get(url).status_code
        if visible:
            assert status == 200, f"{url} answered {status} to {role}"
        else:
            assert status in REFUSED_API, f"{url} answered {status} to {role} (leak)"


@pytest.mark.parametrize("spec,role", list(_params("page")))
def test_page(world, spec, role):
    obj = _record(world, spec)
    url = spec.page_detail(obj)
    response = _client(world, role).get(url)
    if role in spec.who_reads("page"):
        assert response.status_code == 200, f"{url} answered {response.status_code} to {role}"
    else:
        assert _refused_page(response), f"{url} answered {response.status_code} to {role} (leak)"


def _more_who(spec, channel, who):
    if who == "change":
        return spec.change
    return spec.who_reads(channel) if who is None else who


@pytest.mark.parametrize("spec,role,index", list(_more_params("api")))
def test_api_more(world, spec, role, index):
    url_of, who = spec.api_more[index]
    obj = _record(world, spec)
    url = url_of(obj)
    status = _client(world, role).get(url).status_code
    if role in _more_who(spec, "api", who):
        assert status == 200, f"{url} answered {status} to {role}"
    else:
        assert status in REFUSED_API, f"{url} answered {status} to {role} (leak)"


@pytest.mark.parametrize("spec,role,index", list(_more_params("page")))
def test_page_more(world, spec, role, index):
    url_of, who = spec.page_more[index]
    obj = _record(world, spec)
    url = url_of(obj)
    response = _client(world, role).get(url)
    if role in _more_who(spec, "page", who):
        assert response.status_code == 200, f"{url} answered {response.status_code} to {role}"
    else:
        assert _refused_page(response), f"{url} answered {response.status_code} to {role} (leak)"


@pytest.mark.parametrize("spec,role,index", list(_page_list_params()))
def test_page_list(world, spec, role, index):
    url, who = spec.page_lists[index]
    who = spec.view if who is None else who
    assert who <= spec.view, f"{url}: a list page may not show more than the rule"
    obj = _record(world, spec)
    marker = spec.marker(obj)
    response = _client(world, role).get(url)
    if role in who:
        assert response.status_code == 200, f"{url} answered {response.status_code} to {role}"
        assert marker in response.content.decode(), f"{url} does not list {marker!r} for {role}"
    elif response.status_code == 200:
        assert marker not in response.content.decode(), f"{url} shows {marker!r} to {role} (leak)"
    else:
        assert _refused_page(response), f"{url} answered {response.status_code} to {role}"


@pytest.mark.parametrize("spec,role,index", list(_write_params()))
def test_refused_write_changes_nothing(world, spec, role, index):
    write = spec.writes[index]
    obj = _record(world, spec)
    url = write.url(obj)
    client = _client(world, role)
    before = _snapshot(spec, obj.pk)
    if write.channel == "api":
        response = client.generic(
            write.method, url, data=json.dumps(write.data(obj)), content_type="application/json"
        )
        refused = response.status_code in REFUSED_API or (write.ignores and response.status_code == 200)
    else:
        response = client.post(url, write.data(obj))
        refused = _refused_page(response)
    assert refused, f"{write.method} {url} answered {response.status_code} to {role}"
    assert _snapshot(spec, obj.pk) == before, f"{write.method} {url} by {role} changed the record"
