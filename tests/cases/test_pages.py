"""The requester's tracking pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import file_case
from zhichan.cases import services
from zhichan.cases.models import CaseAttachment, Rating, Status

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def test_lookup_by_number_and_code(client, case_a):
    page = client.get("/track/")
    assert page.status_code == 200 and 'data-testid="track-lookup"' in page.text
    wrong = client.post("/track/", {"number": case_a.number, "code": "ZZZZZZZZ"})
    assert wrong.status_code == 200 and "No case matches this number and code." in wrong.text
    right = client.post("/track/", {"number": case_a.number, "code": case_a.tracking_code})
    assert right.status_code == 302 and right["Location"] == f"/track/{case_a.tracking_token}/"


def test_track_page_shows_public_progress_only(client, world, case_a):
    services.do_note(world.users.staff_a, case_a, "内部备注：勿外传")
    page = client.get(case_a.tracking_path)
    assert page.status_code == 200
    assert case_a.number in page.text and 'data-status="new"' in page.text
    assert "勿外传" not in page.text
    assert 'data-testid="rate-form"' not in page.text
    assert client.get("/track/not-the-token/").status_code == 404


def test_supplement_rate_and_reopen_through_the_page(client, world, case_a):
    staff = world.users.staff_a
    services.do_accept(staff, case_a)
    services.do_request_supplement(staff, case_a, "请上传商标注册证")
    page = client.get(case_a.tracking_path)
    assert 'data-testid="supplement-form"' in page.text and "请上传商标注册证" in page.text
    empty = client.post(case_a.tracking_path, {"action": "supplement", "text": ""})
    assert empty.status_code == 200 and 'data-field="text"' in empty.text
    bad_file = client.post(
        case_a.tracking_path,
        {"action": "supplement", "text": "见附件", "files": SimpleUploadedFile("a.exe", b"MZ\x90\x00")},
    )
    assert bad_file.status_code == 200 and 'data-field="files"' in bad_file.text
    from django.core.exceptions import ValidationError
    from django.utils.html import escape

    from zhichan.cases.files import check_upload

    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("a.exe", b"MZ\x90\x00"))
    assert escape(refused.value.message_dict["file"][0]) in bad_file.text
    case_a.refresh_from_db()
    assert case_a.status == Status.WAITING_SUPPLEMENT
    done = client.post(
        case_a.tracking_path,
        {"action": "supplement", "text": "见附件", "files": SimpleUploadedFile("证书.pdf", PDF)},
    )
    assert done.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED
    assert CaseAttachment.objects.get(case=case_a).uploaded_by_requester
    services.do_reply(staff, case_a, "已处理")
    assert (
        client.post(
            case_a.tracking_path, {"action": "rate", "level": "dissatisfied", "comment": "慢"}
        ).status_code
        == 302
    )
    assert Rating.objects.get(case=case_a).level == "dissatisfied"
    assert client.post(case_a.tracking_path, {"action": "reopen", "reason": "未解决"}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED and case_a.reopen_count == 1
    again = client.post(case_a.tracking_path, {"action": "reopen", "reason": "x"}, follow=True)
    assert "is Accepted and cannot become Accepted" in again.text
    assert type(case_a).objects.get(pk=case_a.pk).status == Status.ACCEPTED


def test_guessing_the_page_is_limited(client, world, settings):
    settings.ZHICHAN_TRACKING_GUESS_LIMIT = 2
    case = file_case(type="mediation", region=None)
    for i in range(2):
        assert client.get(f"/track/guess-{i}/").status_code == 404
    assert client.get(case.tracking_path).status_code == 429
    assert client.post("/track/", {"number": case.number, "code": case.tracking_code}).status_code == 429


def test_the_page_limit_is_shared_by_processes_without_redis(client, world, settings):
    from django.core.cache import cache

    settings.REDIS_URL = ""
    settings.ZHICHAN_TRACKING_GUESS_LIMIT = 2
    case = file_case(type="mediation", region=None)
    assert client.post("/track/", {"number": case.number, "code": "ZZZZZZZZ"}).status_code == 200
    cache.clear()  # another process
    assert client.get("/track/guess-1/").status_code == 404
    cache.clear()
    assert client.get(case.tracking_path).status_code == 429


def form_data(**extra):
    data = {
        "type": "complaint",
        "subtype": "infringement",
        "region": "990102",
        "subject": "商标侵权",
        "description": "某店铺销售假冒商品",
        "requester_name": "王五",
        "requester_phone": "13700000000",
        "idempotency_key": "page-token-abcdefgh",
    }
    data.update(extra)
    return data


def test_intake_page_files_once_and_shows_the_code(client, world):
    from zhichan.cases.models import Case

    page = client.get("/requests/new/")
    assert (
        page.status_code == 200
        and 'name="idempotency_key"' in page.text
        and 'name="channel"' not in page.text
    )
    first = client.post("/requests/new/", form_data())
    second = client.post("/requests/new/", form_data())
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == case.tracking_path
    shown = client.get(case.tracking_path)
    assert case.tracking_code in shown.text


def test_intake_page_errors_at_the_field(client, world):
    from zhichan.cases.models import Case

    response = client.post("/requests/new/", form_data(subject="", anonymous="on", requester_email="bad"))
    assert response.status_code == 200
    assert 'data-field="subject"' in response.text
    response = client.post("/requests/new/", form_data(anonymous="on", requester_email="bad"))
    assert 'data-field="anonymous"' in response.text and 'data-field="requester_email"' in response.text
    assert not Case.objects.exists()


def test_staff_choose_the_channel(client, world):
    from zhichan.cases.models import Case

    client.force_login(world.users.staff_a)
    assert 'name="channel"' in client.get("/requests/new/").text
    assert client.post("/requests/new/", form_data(channel="letter")).status_code == 302
    assert Case.objects.get().channel == "letter"


def test_the_form_can_be_prefilled_by_a_link(client, world):
    client.force_login(world.users.staff_a)
    page = client.get(
        "/requests/new/?type=consultation&channel=hotline&subject=商标续展&description=来电咨询续展"
    )
    assert page.status_code == 200
    assert 'value="商标续展"' in page.text and "来电咨询续展</textarea>" in page.text
    assert '<option value="hotline" selected>' in page.text


def test_admin_pages_load(admin_client, world, case_a):
    for url in (
        "/admin/cases/case/",
        f"/admin/cases/case/{case_a.pk}/change/",
        "/admin/cases/routingrule/",
        "/admin/fairs/fair/",
        "/admin/cases/rating/",
        "/admin/core/auditentry/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_admin_does_not_edit_rules_or_fairs(admin_client, world, case_a):
    """The services check them and keep their history; the admin only lists them."""
    from zhichan.cases.models import RoutingRule

    rule = RoutingRule.objects.first()
    assert admin_client.get("/admin/cases/routingrule/add/").status_code == 403
    assert admin_client.get("/admin/fairs/fair/add/").status_code == 403
    view = admin_client.get(f"/admin/cases/routingrule/{rule.pk}/change/")
    assert view.status_code == 200 and 'name="_save"' not in view.text
    posted = admin_client.post(
        f"/admin/cases/routingrule/{rule.pk}/change/",
        {"case_type": "report", "agency": rule.agency_id, "priority": 9},
    )
    assert posted.status_code == 403
    deleted = admin_client.post(f"/admin/cases/routingrule/{rule.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    rule.refresh_from_db()
    assert (rule.case_type, rule.priority) == ("complaint", 0)
