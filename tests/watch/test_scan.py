"""The alert scan: each kind of alert, raised once, and the digests that carry them."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.watch.conftest import number
from zhichan.ipdata.models import Patent, Trademark
from zhichan.notices.models import Notice
from zhichan.screening.services import rebuild_index
from zhichan.watch import digest, services
from zhichan.watch.models import Alert, ScanMark
from zhichan.watch.scan import run_scan


@pytest.fixture
def watch_list(world):
    return services.do_create_list(world.users.enterprise, "监控")


def patent(serial, title="一种装置", **fields):
    fields.setdefault("legal_status", "pending")
    fields.setdefault("patent_type", "invention")
    return Patent.objects.create(application_number=number(f"2024100{serial:05d}"), title=title, **fields)


def published(number_, name, nice=30, days_ago=10, **fields):
    fields.setdefault("status", "published")
    return Trademark.objects.create(
        registration_number=number_,
        name=name,
        nice_class=nice,
        publication_date=timezone.localdate() - dt.timedelta(days=days_ago),
        **fields,
    )


def kinds():
    return sorted(Alert.objects.values_list("kind", flat=True))


def test_a_change_of_legal_status_is_told_once(world, watch_list):
    watched = patent(1)
    services.do_add_item(world.users.enterprise, watch_list, "patent", patent=watched)
    assert run_scan()["raised"] == 0
    Patent.objects.filter(pk=watched.pk).update(legal_status="valid", updated_at=timezone.now())
    assert run_scan()["raised"] == 1
    assert run_scan()["raised"] == 0
    alert = Alert.objects.get()
    assert (alert.kind, alert.patent, alert.detail["from"], alert.detail["to"]) == (
        "status_change",
        watched,
        "pending",
        "valid",
    )
    Patent.objects.filter(pk=watched.pk).update(legal_status="invalid", updated_at=timezone.now())
    run_scan()
    assert kinds() == ["status_change", "status_change"]


def test_new_filings_of_a_competitor_are_told_not_old_ones(world, watch_list):
    services.do_add_item(world.users.enterprise, watch_list, "applicant", text="乙方科技有限公司")
    old = patent(2, applicants=["乙方科技有限公司"])
    Patent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    run_scan()
    assert kinds() == []
    new = patent(3, applicants=["某大学", "乙方科技（有限）公司"])
    patent(4, applicants=["乙方科技研究院"])  # another applicant whose name merely starts alike
    mark = Trademark.objects.create(
        registration_number="70000001", name="乙方", nice_class=9, applicants=["乙方科技有限公司"]
    )
    run_scan()
    run_scan()
    assert {(a.patent_id, a.trademark_id) for a in Alert.objects.all()} == {(new.pk, None), (None, mark.pk)}


def test_new_filings_in_a_watched_field_but_not_the_enterprises_own(world, watch_list):
    services.do_add_item(world.users.enterprise, watch_list, "field", ipc_prefixes="H01M", keywords="电池")
    run_scan()
    hit = patent(5, title="一种锂电池极片", ipc_codes=["H01M 4/13"], main_ipc="H01M 4/13")
    patent(6, title="一种锂电池", ipc_codes=["A01B 1/00"])  # keyword, other field
    patent(7, title="一种电极", ipc_codes=["H01M 4/13"])  # field, no keyword
    patent(8, title="一种电池", ipc_codes=["H01M 10/00"], applicants=[world.enterprise_a.name])
    run_scan()
    assert list(Alert.objects.values_list("patent_id", flat=True)) == [hit.pk]


def test_a_similar_mark_open_to_opposition_is_told_with_the_last_day(world, watch_list):
    services.do_add_item(world.users.enterprise, watch_list, "mark", text="康师傅", nice_classes="30")
    run_scan()
    copy = published("80000001", "康帅傅")
    published("80000002", "康师傅", status="registered")  # registered: no opposition any more
    published("80000003", "康帅博", days_ago=120)  # published four months ago: too late
    published("80000004", "康帅傅", nice=12)  # another class
    published("80000005", "康师傅", applicants=[world.enterprise_a.name])  # the enterprise's own
    published("80000006", "华为")
    rebuild_index()
    run_scan()
    run_scan()
    alert = Alert.objects.get()
    assert alert.trademark == copy and alert.kind == "similar_mark"
    assert alert.detail["risk"] in ("high", "medium") and alert.detail["reasons"]
    assert alert.due >= copy.publication_date + dt.timedelta(days=89)
    assert alert.detail["last_day_to_oppose"] == alert.due.isoformat()


def test_two_scans_raise_nothing_twice_and_the_mark_moves_on(world, watch_list):
    services.do_add_item(world.users.enterprise, watch_list, "applicant", text="乙方科技有限公司")
    patent(9, applicants=["乙方科技有限公司"])
    first = run_scan()
    second = run_scan()
    assert (first["raised"], second["raised"]) == (1, 0)
    assert second["competitor_filing"] == 1  # looked at again within the overlap, not told again
    assert ScanMark.objects.get().at > timezone.now() - dt.timedelta(minutes=1)


def send(capture, **kwargs):
    with capture(execute=True):  # notices go out once the digest's transaction commits
        return digest.send_digests(**kwargs)


def test_a_digest_carries_the_new_alerts_once(world, watch_list, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    services.do_add_item(world.users.enterprise, watch_list, "applicant", text="乙方科技有限公司")
    for serial in (10, 11, 12):
        patent(serial, applicants=["乙方科技有限公司"])
    run_scan()
    assert send(capture) == 1
    notice = Notice.objects.get(recipient=world.users.enterprise)
    assert "3" in notice.subject and notice.kind == "watch_digest"
    assert not Alert.objects.filter(digested_at=None).exists()
    assert send(capture) == 0
    # A new alert waits for the next period of a daily list.
    patent(13, applicants=["乙方科技有限公司"])
    run_scan()
    assert send(capture) == 0
    assert send(capture, now=timezone.now() + dt.timedelta(days=1)) == 1
    assert Notice.objects.filter(recipient=world.users.enterprise).count() == 2


def test_a_list_kept_by_an_agency_tells_its_keeper_and_digest_off_tells_nobody(
    world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    kept = services.do_create_list(
        world.users.staff_a, "代管", enterprise=world.enterprise_a.pk, digest="off"
    )
    services.do_add_item(world.users.staff_a, kept, "applicant", text="乙方科技有限公司")
    patent(14, applicants=["乙方科技有限公司"])
    run_scan()
    assert send(capture) == 0
    services.do_update_list(world.users.staff_a, kept, digest="weekly")
    assert send(capture) == 1
    assert set(Notice.objects.values_list("recipient__username", flat=True)) == {"enterprise", "staff_a"}
