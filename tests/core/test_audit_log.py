"""The audit log page and API, admin saves in the change history, and no secrets in it."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from zhichan.accounts.models import Role, User
from zhichan.cases.models import RoutingRule
from zhichan.core.audit import HIDDEN, record_change, snapshot
from zhichan.core.models import AuditEntry, WorkdayOverride

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(world):
    a = RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    b = RoutingRule.objects.create(case_type="complaint", region=world.county_b, agency=world.centre_b)
    record_change(world.users.county_admin_a, a, "create")
    record_change(world.users.city_admin, b, "create")
    return a, b


def test_page_lists_and_filters_for_administrators(client, world, rules, english):
    a, b = rules
    client.force_login(world.users.city_admin)
    page = client.get("/audit/")
    assert page.status_code == 200 and page.text.count('data-testid="history-row"') == 2
    only_county = client.get("/audit/?actor=county_admin_a&kind=cases.routingrule&action=create")
    assert only_county.text.count('data-testid="history-row"') == 1
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert client.get(f"/audit/?since={tomorrow}").text.count('data-testid="history-row"') == 0
    assert client.get("/audit/?since=not-a-date&kind=bogus&actor=%00").status_code == 200
    client.force_login(world.users.county_admin_a)
    county = client.get("/audit/")
    assert county.text.count('data-testid="history-row"') == 1


@pytest.mark.parametrize("role", ["staff_a", "agency_admin_a", "public", "enterprise"])
def test_page_and_api_are_closed_to_others(client, world, rules, role):
    client.force_login(getattr(world.users, role))
    assert client.get("/audit/").status_code == 404
    assert client.get("/api/v1/audit/").json()["items"] == []


def test_anonymous_is_sent_to_login_and_gets_nothing_from_the_api(client, world, rules):
    assert client.get("/audit/").status_code == 302
    assert client.get("/api/v1/audit/").json()["items"] == []


def test_api_filters_and_restricts_by_county(client, world, rules):
    a, b = rules
    client.force_login(world.users.city_admin)
    items = client.get("/api/v1/audit/?kind=cases.routingrule").json()["items"]
    assert {i["object_id"] for i in items} == {str(a.pk), str(b.pk)}
    items = client.get("/api/v1/audit/?actor=county_admin").json()["items"]
    assert [(i["object_id"], i["actor"], i["record_type"]) for i in items] == [
        (str(a.pk), str(world.users.county_admin_a), "cases.routingrule")
    ]
    assert client.get("/api/v1/audit/?kind=no-dot").status_code == 422
    assert client.get("/api/v1/audit/?since=2026-13-40").status_code == 422
    client.force_login(world.users.county_admin_b)
    assert [i["object_id"] for i in client.get("/api/v1/audit/").json()["items"]] == [str(b.pk)]


def test_password_and_token_values_never_reach_the_history(world):
    user = world.users.staff_a
    before = snapshot(user)
    assert before["password"].startswith(HIDDEN) and user.password not in str(before)
    user.password = make_password("another-secret-1")
    user.save()
    entry = record_change(world.users.city_admin, user, "update", before)
    assert entry.changes == {"password": [HIDDEN, HIDDEN + " (changed)"]}
    assert "md5" not in str(entry.changes) and user.password not in str(entry.changes)


def test_admin_saves_go_into_the_history(client, world):
    root = User.objects.create_superuser("root", "root@example.com", "x-pass-12345")
    client.force_login(root)
    user = world.users.staff_a
    url = f"/admin/accounts/user/{user.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        username=user.username,
        role=Role.AGENCY_ADMIN,
        agency=user.agency_id,
        is_active="",
        date_joined_0="2026-01-01",
        date_joined_1="10:00:00",
        groups=[],
        user_permissions=[],
    )
    data = {k: v for k, v in data.items() if not isinstance(v, list) or v}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.for_object(user).get()
    assert entry.actor == root and entry.action == "update"
    assert entry.changes["role"] == [Role.AGENCY_STAFF, Role.AGENCY_ADMIN]
    assert entry.changes["is_active"] == [True, False]
    assert "password" not in entry.changes

    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "Fresh-pass-98765", "password2": "Fresh-pass-98765", "usable_password": "true"},
    )
    assert response.status_code == 302
    reset = AuditEntry.objects.for_object(user).first()
    assert reset.changes == {"password": [HIDDEN, HIDDEN + " (changed)"]}

    day = WorkdayOverride.objects.create(date=dt.date(2026, 10, 10), is_workday=True, note="调休")
    response = client.post(f"/admin/core/workdayoverride/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    gone = AuditEntry.objects.for_model(WorkdayOverride).get()
    assert gone.action == "delete" and gone.changes["note"] == ["调休", None]


def test_workspace_links_only_for_those_who_may_read(client, world):
    for role, audit, identity in [
        ("city_admin", True, True),
        ("county_admin_a", True, False),
        ("agency_admin_a", False, False),
        ("staff_a", False, False),
    ]:
        client.force_login(getattr(world.users, role))
        page = client.get("/cases/").text
        shown = ('data-testid="nav-audit"' in page, 'data-testid="nav-identity-log"' in page)
        assert shown == (audit, identity), role
