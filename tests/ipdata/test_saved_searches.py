"""Saved searches: each user's own, through the page, the service and the API."""

import json

import pytest
from django.core.exceptions import ValidationError

from tests.ipdata.conftest import ROLES, login
from zhichan.core.permissions import PermissionDenied
from zhichan.ipdata import search_services as services
from zhichan.ipdata.models import SavedSearch, SavedSearchEvent

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ipdata/saved-searches"
SIGNED_IN = [r for r in ROLES if r != "anonymous"]


@pytest.fixture
def mine(world):
    """A saved search of the public user."""
    return services.do_save_search(world.users.public, {"name": "电池", "query": "TI=电池"})


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_saving_writes_the_record_and_an_event(world, mine):
    assert (mine.owner, mine.name, mine.query) == (world.users.public, "电池", "TI=电池")
    assert SavedSearchEvent.objects.filter(kind="saved", search=mine, actor=world.users.public).exists()


def test_saving_the_same_query_twice_keeps_one(world, mine):
    again = services.do_save_search(world.users.public, {"name": "other", "query": "  TI=电池 "})
    assert again.pk == mine.pk
    assert SavedSearch.objects.filter(owner=world.users.public).count() == 1
    # Another user's identical query is theirs.
    services.do_save_search(world.users.staff_a, {"query": "TI=电池"})
    assert SavedSearch.objects.count() == 2


def test_a_malformed_query_is_refused_with_its_position(world):
    with pytest.raises(ValidationError) as info:
        services.do_save_search(world.users.public, {"query": "TI=(电池"})
    assert "query" in info.value.message_dict
    assert SavedSearch.objects.count() == 0


def test_anonymous_cannot_save(world):
    with pytest.raises(PermissionDenied):
        services.do_save_search(world.users.anonymous, {"query": "电池"})
    assert SavedSearch.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_sees_and_deletes(client, world, mine, role):
    login(client, world, role)
    owner = role == "public"
    listed = client.get(BASE)
    if role == "anonymous":
        assert listed.status_code == 401
    else:
        assert [s["id"] for s in listed.json()["items"]] == ([mine.pk] if owner else [])
    expected = 200 if owner else 401 if role == "anonymous" else 404
    assert client.get(f"{BASE}/{mine.pk}").status_code == expected
    page = client.post(f"/ipdata/search/saved/{mine.pk}/delete/")
    assert page.status_code == (302 if owner else 404)
    assert SavedSearch.objects.filter(pk=mine.pk).exists() is not owner


@pytest.mark.parametrize("role", [r for r in SIGNED_IN if r != "public"])
def test_a_refused_api_delete_changes_nothing(client, world, mine, role):
    login(client, world, role)
    assert client.delete(f"{BASE}/{mine.pk}").status_code == 404
    assert SavedSearch.objects.filter(pk=mine.pk).exists()
    assert not SavedSearchEvent.objects.filter(kind="deleted").exists()
    with pytest.raises(PermissionDenied):
        services.do_delete_search(getattr(world.users, role), mine)
    assert SavedSearch.objects.filter(pk=mine.pk).exists()


def test_api_create_list_delete(client, world):
    client.force_login(world.users.enterprise)
    created = post(client, BASE, {"name": "灯", "query": "LED"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert post(client, BASE, {"query": "LED"}).json()["id"] == pk  # a second submission
    assert [s["id"] for s in client.get(BASE).json()["items"]] == [pk]
    bad = post(client, BASE, {"query": "AD=2015-13-01"})
    assert bad.status_code == 422
    assert client.delete(f"{BASE}/{pk}").status_code == 204
    assert client.get(f"{BASE}/{pk}").status_code == 404
    assert SavedSearchEvent.objects.filter(kind="deleted", actor=world.users.enterprise).count() == 1


def test_the_api_refuses_anonymous_writes(client, world):
    assert post(client, BASE, {"query": "LED"}).status_code == 401
    assert SavedSearch.objects.count() == 0


def test_the_page_saves_once_and_lists(client, world):
    client.force_login(world.users.public)
    for _ in range(2):  # a double submission
        response = client.post("/ipdata/search/saved/", {"q": "TI=电池", "name": "电池"})
        assert response.status_code == 302
    assert SavedSearch.objects.filter(owner=world.users.public).count() == 1
    page = client.get("/ipdata/search/", {"q": "TI=电池"})
    html = page.content.decode()
    assert 'data-testid="save-search"' in html
    assert [s.name for s in page.context["saved_searches"]] == ["电池"]


def test_the_page_refuses_anonymous_saving(client, world):
    response = client.post("/ipdata/search/saved/", {"q": "TI=电池"})
    assert response.status_code == 302 and "/login" in response.url
    assert SavedSearch.objects.count() == 0
    assert 'data-testid="save-search"' not in client.get("/ipdata/search/", {"q": "x"}).content.decode()
