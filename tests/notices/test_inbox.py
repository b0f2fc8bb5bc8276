"""The inbox, on the pages and over the API: each user sees and changes only their own notices."""

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from zhichan.notices.models import Notice

pytestmark = pytest.mark.django_db

ROLES = [
    "public",
    "enterprise",
    "staff_a",
    "agency_admin_a",
    "staff_b",
    "county_admin_a",
    "county_admin_b",
    "city_admin",
]


def give(user, subject="Subject", **fields):
    return Notice.objects.create(recipient=user, kind="test", subject=subject, **fields)


@pytest.fixture
def notices(world):
    """Two notices for every role: one unread, one read."""
    out = {}
    for role in ROLES:
        user = getattr(world.users, role)
        out[role] = (
            give(user, f"unread for {role}"),
            give(user, f"read for {role}", read_at=timezone.now()),
        )
    return out


@pytest.mark.parametrize("role", ROLES)
def test_each_user_sees_only_their_own_notices(client, world, notices, role):
    client.force_login(getattr(world.users, role))
    page = client.get("/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    for other in ROLES:
        assert (f"unread for {other}" in html) == (other == role)
        assert (f"read for {other}" in html) == (other == role)
    data = client.get("/api/v1/notices/").json()
    assert data["count"] == 2
    assert [n["subject"] for n in data["items"]] == [f"unread for {role}", f"read for {role}"]


@pytest.mark.parametrize("role", ROLES)
def test_another_users_notice_is_404_and_stays_unread(client, world, notices, role):
    client.force_login(getattr(world.users, role))
    other_role = "public" if role != "public" else "city_admin"
    theirs = notices[other_role][0]
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/notices/{theirs.pk}/read").status_code == 404
    client.post("/inbox/read-all/")
    assert client.post("/api/v1/notices/read-all").json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # Their own are now all read.
    assert not Notice.objects.filter(recipient=getattr(world.users, role), read_at__isnull=True).exists()


def test_a_superuser_reads_only_their_own_inbox_too(client, world, notices):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    mine = give(root, "for root")
    client.force_login(root)
    html = client.get("/inbox/").content.decode()
    assert "for root" in html and "unread for public" not in html
    assert [n["id"] for n in client.get("/api/v1/notices/").json()["items"]] == [mine.pk]
    assert client.post(f"/inbox/{notices['public'][0].pk}/read/").status_code == 404


def test_anonymous_is_sent_to_log_in_and_the_api_says_401(client, notices):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    notice = notices["public"][0]
    assert client.post(f"/inbox/{notice.pk}/read/").status_code == 302
    assert client.get("/api/v1/notices/").status_code == 401
    assert client.get("/api/v1/notices/unread-count").status_code == 401
    assert client.post(f"/api/v1/notices/{notice.pk}/read").status_code == 401
    assert client.post("/api/v1/notices/read-all").status_code == 401
    notice.refresh_from_db()
    assert notice.read_at is None


def test_unread_come_first_then_newest(client, world):
    user = world.users.public
    old_unread = give(user, "old unread")
    read = give(user, "read one", read_at=timezone.now())
    new_unread = give(user, "new unread")
    client.force_login(user)
    ids = [n["id"] for n in client.get("/api/v1/notices/").json()["items"]]
    assert ids == [new_unread.pk, old_unread.pk, read.pk]
    html = client.get("/inbox/").content.decode()
    assert html.index("new unread") < html.index("old unread") < html.index("read one")
    only_unread = client.get("/api/v1/notices/?unread=true").json()["items"]
    assert [n["id"] for n in only_unread] == [new_unread.pk, old_unread.pk]
    only_read = client.get("/api/v1/notices/?unread=false").json()["items"]
    assert [n["id"] for n in only_read] == [read.pk]
    page = client.get("/inbox/?unread=1").content.decode()
    assert "new unread" in page and "read one" not in page


def test_mark_read_on_the_page(client, world):
    user = world.users.staff_a
    notice = give(user)
    client.force_login(user)
    assert client.get(f"/inbox/{notice.pk}/read/").status_code == 405  # state changes only by POST
    notice.refresh_from_db()
    assert notice.read_at is None
    response = client.post(f"/inbox/{notice.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    notice.refresh_from_db()
    first = notice.read_at
    assert first is not None
    client.post(f"/inbox/{notice.pk}/read/")  # again: no change
    notice.refresh_from_db()
    assert notice.read_at == first


def test_open_marks_read_and_follows_only_links_on_this_site(client, world):
    user = world.users.public
    inside = give(user, "inside", link="/services/")
    outside = give(user, "outside", link="https://evil.example/phish")
    client.force_login(user)
    html = client.get("/inbox/").content.decode()
    assert html.count('data-testid="notice-open"') == 1  # no button for the outside link
    response = client.post(f"/inbox/{inside.pk}/read/", {"open": "1"})
    assert response["Location"] == "/services/"
    response = client.post(f"/inbox/{outside.pk}/read/", {"open": "1"})
    assert response["Location"] == "/inbox/"
    assert Notice.objects.filter(read_at__isnull=True).count() == 0


def test_mark_all_read(client, world):
    user = world.users.county_admin_a
    for i in range(3):
        give(user, f"n{i}")
    others = give(world.users.county_admin_b)
    client.force_login(user)
    response = client.post("/inbox/read-all/")
    assert response.status_code == 302
    assert not Notice.objects.filter(recipient=user, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None
    assert 'data-testid="inbox-empty"' in client.get("/inbox/?unread=1").content.decode()


def test_nav_badge_shows_the_unread_count(client, world):
    user = world.users.enterprise
    client.force_login(user)
    html = client.get("/").content.decode()
    assert 'data-testid="nav-inbox"' in html and 'data-testid="nav-inbox-count"' not in html
    give(user)
    give(user)
    give(user, read_at=timezone.now())
    give(world.users.public)
    html = client.get("/").content.decode()
    assert 'data-testid="nav-inbox-count">2<' in html
    client.post("/inbox/read-all/")
    assert 'data-testid="nav-inbox-count"' not in client.get("/").content.decode()


def test_nav_has_no_inbox_for_anonymous(client, world):
    assert 'data-testid="nav-inbox"' not in client.get("/").content.decode()


def test_api_unread_count_and_mark_read(client, world):
    user = world.users.staff_b
    a, b = give(user, "a"), give(user, "b")
    client.force_login(user)
    assert client.get("/api/v1/notices/unread-count").json() == {"unread": 2}
    body = client.post(f"/api/v1/notices/{a.pk}/read").json()
    assert body["id"] == a.pk and body["read_at"] is not None and body["subject"] == "a"
    assert client.get("/api/v1/notices/unread-count").json() == {"unread": 1}
    assert client.post("/api/v1/notices/read-all").json() == {"marked": 1}
    b.refresh_from_db()
    assert b.read_at is not None
    assert client.post("/api/v1/notices/999999/read").status_code == 404


def test_api_writes_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    user = world.users.public
    notice = give(user)
    client.force_login(user)
    assert client.post(f"/api/v1/notices/{notice.pk}/read").status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None


def test_inbox_pages_through_many_notices(client, world):
    user = world.users.public
    Notice.objects.bulk_create([Notice(recipient=user, kind="k", subject=f"bulk {i:03d}") for i in range(30)])
    client.force_login(user)
    first = client.get("/inbox/").content.decode()
    assert first.count('data-testid="notice"') == 25
    second = client.get("/inbox/?page=2").content.decode()
    assert second.count('data-testid="notice"') == 5


def test_a_notified_user_finds_the_notice_in_the_inbox(client, world, django_capture_on_commit_callbacks):
    from zhichan.notices.services import notify

    with django_capture_on_commit_callbacks(execute=True):
        notify([world.users.staff_a], "case_assigned", "案件已分配给您", "请在期限内办理。", link="/network/")
    client.force_login(world.users.staff_a)
    html = client.get("/inbox/").content.decode()
    assert "案件已分配给您" in html and "请在期限内办理。" in html
    client.force_login(world.users.staff_b)
    assert "案件已分配给您" not in client.get("/inbox/").content.decode()
