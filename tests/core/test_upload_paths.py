"""Every way a file gets in, and every way a stored file gets out.

Each upload path (a page or an API operation) is sent a Windows program renamed `.pdf`, an
HTML page renamed `.png` and a file over the size limit: each is refused with an error that
names the field and the reason, and neither a row nor a file is written. Each download of a
stored file answers as an attachment (a good practice's checked image inline), with `nosniff`,
and 404 to a user who may not see its record. The lists below are checked to be complete
against the models' file fields, the API's multipart operations and the code that reads
`request.FILES` or answers with a file.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils.functional import empty

from tests.watch.conftest import portfolio  # noqa: F401 - the custody's rights
from zhichan.cases.models import CaseAttachment
from zhichan.custody.models import CustodyAction
from zhichan.evaluation.models import ManualValue, RectificationFile, RectificationResponse
from zhichan.evaluation.models.scorecards import ManualValueEvidence
from zhichan.ipdata.models import ImportJob
from zhichan.practices.models import Practice, PracticeFile
from zhichan.providers.models import ProviderApplication, ProviderEvidence

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "zhichan"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
# A DOS/PE header: what a Windows program starts with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00"
EXE += b"\x00" * 64 + b"PE\x00\x00\x4c\x01" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
LIMIT_MB = 0.01  # 10 KB in these tests; the payload below is twice that
BIG_PDF = PDF[:-6] + b"%" + b"0" * 20_000 + b"\n%%EOF\n"
CSV_HEAD = "申请号,名称,申请人,申请日\n".encode()
BIG_CSV = CSV_HEAD + "CN202310000001.1,一种装置,测试公司,2023-01-01\n".encode() * 500

# What each path answers for each payload, in English (the `english` fixture).
MESSAGES = {
    "exe": "Windows program (EXE/DLL)",
    "html": "web page (HTML)",
    "big": "the limit is",
}
IMPORT_MESSAGES = {
    "exe": "binary data, not a table or XML",
    "html": "a web page, not XML records",
    "big": "the limit for imports is",
}
PAYLOADS = {
    "exe": ("scan.pdf", EXE),  # a program renamed .pdf
    "html": ("photo.png", HTML),  # a web page renamed .png
    "big": ("big.pdf", BIG_PDF),  # a real PDF over the limit
}


@pytest.fixture(autouse=True)
def _store(english, settings, tmp_path):
    """Every file store in one folder of the test's own, so "nothing written" can be seen."""
    from zhichan.cases.models import case_files
    from zhichan.custody.models import custody_files

    root = tmp_path / "store"
    settings.MEDIA_ROOT = root / "media"
    settings.ZHICHAN_CASE_FILES_ROOT = root / "case-files"
    settings.ZHICHAN_CUSTODY_FILES_ROOT = root / "custody-files"
    settings.ZHICHAN_UPLOAD_MAX_MB = LIMIT_MB
    settings.ZHICHAN_IMPORT_MAX_MB = LIMIT_MB
    case_files._wrapped = empty  # the lazy storages pick up the new locations
    custody_files._wrapped = empty
    yield root
    case_files._wrapped = empty
    custody_files._wrapped = empty


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- the test world of each path ------------------------------------------------------------------


def _case(world, *, supplement=False, replied=False):
    from tests.cases.conftest import file_case
    from zhichan.cases import services
    from zhichan.cases.models import RoutingRule

    RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    case = file_case()
    staff = world.users.staff_a
    if supplement or replied:
        services.do_accept(staff, case)
    if supplement:
        services.do_request_supplement(staff, case, "请上传商标注册证")
    case.refresh_from_db()
    return case


def _custody(world, rights):
    from zhichan.custody import services
    from zhichan.watch import deadlines as dl

    custody = services.do_create_custody(
        world.users.staff_a,
        agency=world.centre_a,
        enterprise=rights["enterprise"],
        starts_on=dt.date.today() - dt.timedelta(days=365),
    )
    fee = next(
        d
        for _record, d in services.custody_deadlines(custody)
        if d.kind == dl.ANNUAL_FEE and d.last_day >= dt.date.today()
    )
    return custody, fee


def _notice(world):
    from zhichan.evaluation import rectification

    return rectification.do_issue_notice(
        world.users.county_admin_a,
        world.centre_a,
        findings="窗口未按时开放",
        required_actions="公示开放时间并按时开放",
        deadline=dt.date.today() + dt.timedelta(days=10),
    )


def _manual_indicator(world):
    from zhichan.evaluation.scorecards import services

    return services.do_create_indicator(
        world.users.city_admin,
        code="survey",
        name="走访评价",
        dimension="satisfaction",
        unit="score",
        direction="higher",
        source="manual",
    )


def _application_data(world):
    from tests.providers.conftest import application_data_for

    return application_data_for(world)


def _application(world):
    from zhichan.providers import services

    return services.do_apply(None, **_application_data(world))


def _practice_data(world):
    return {
        "title": "网点建设经验",
        "category": "network_building",
        "county": world.county_a.pk,
        "agency": world.centre_a.pk,
        "summary": "摘要",
        "body": "正文",
        "tags": "网点",
    }


def _practice(world, **files):
    from zhichan.practices import services

    data = {**_practice_data(world), "county": world.county_a, "agency": world.centre_a}
    return services.do_create_practice(world.users.staff_a, **data, **files)


# --- the upload paths ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """One way a file gets in. `send(client, world, request, file)` logs in, makes what the
    path needs and posts the file; `field` is where the refusal is shown (an API's field name,
    a page's data-field), None where a page shows it as a message; `counted` are the models
    that must gain no row."""

    name: str
    kind: str  # "page" (module:view) or "api" ("METHOD /api/v1/..."): checked for completeness
    route: str
    send: object
    field: str | None
    counted: tuple
    messages: dict = None  # noqa: RUF009 - MESSAGES unless the path has its own


def _cases_track_page(client, world, request, f):
    case = _case(world, supplement=True)
    return client.post(case.tracking_path, {"action": "supplement", "text": "见附件", "files": f})


def _cases_reply_page(client, world, request, f):
    case = _case(world, replied=True)
    client.force_login(world.users.staff_a)
    return client.post(f"/cases/{case.pk}/", {"action": "reply", "message": "已处理", "files": f})


def _cases_api_attach(client, world, request, f):
    case = _case(world)
    client.force_login(world.users.staff_a)
    return client.post(f"/api/v1/cases/{case.pk}/attachments", {"files": [f]})


def _cases_api_track(client, world, request, f):
    case = _case(world, supplement=True)
    return client.post(
        f"/api/v1/cases/track/{case.tracking_token}/supplement", {"text": "见附件", "files": [f]}
    )


def _custody_page(client, world, request, f):
    custody, fee = _custody(world, request.getfixturevalue("portfolio"))
    client.force_login(world.users.staff_a)
    return client.post(
        f"/custody/{custody.pk}/action/",
        {
            "deadline": f"{fee.right_key}|{fee.key}",
            "action": "fee_paid",
            "done_on": dt.date.today().isoformat(),
            "evidence": f,
        },
    )


def _import_page(client, world, request, f):
    client.force_login(world.users.city_admin)
    return client.post("/ipdata/imports/", {"kind": "", "file": f})


def _import_api(client, world, request, f):
    client.force_login(world.users.city_admin)
    return client.post("/api/v1/ipdata/imports", {"file": f})


def _rectification_page(client, world, request, f):
    notice = _notice(world)
    client.force_login(world.users.agency_admin_a)
    return client.post(f"/evaluation/rectification/{notice.pk}/respond/", {"text": "已整改", "files": [f]})


def _rectification_api(client, world, request, f):
    notice = _notice(world)
    client.force_login(world.users.agency_admin_a)
    return client.post(
        f"/api/v1/evaluation/rectification-notices/{notice.pk}/respond", {"text": "已整改", "files": [f]}
    )


def _manual_value_data(world):
    return {
        "indicator": _manual_indicator(world).pk,
        "scope": f"agency:{world.centre_a.pk}",
        "period": "2026Q2",
        "value": "93.5",
        "note": "问卷",
    }


def _manual_value_page(client, world, request, f):
    data = _manual_value_data(world)
    client.force_login(world.users.agency_admin_a)
    return client.post(reverse("evaluation:manual_new"), {**data, "evidence": [f]})


def _manual_value_api(client, world, request, f):
    data = _manual_value_data(world)
    data["indicator_id"] = data.pop("indicator")
    client.force_login(world.users.agency_admin_a)
    return client.post("/api/v1/evaluation/manual-values", {**data, "evidence": [f]})


def _provider_apply_page(client, world, request, f):
    return client.post("/providers/apply/", {**_application_data(world), "evidence": [f]})


def _provider_status_page(client, world, request, f):
    application = _application(world)
    return client.post(f"/providers/apply/{application.token}/", {"evidence": [f]})


def _provider_api(client, world, request, f):
    application = _application(world)
    return client.post(f"/api/v1/providers/applications/status/{application.token}/evidence", {"files": [f]})


def _practice_new_page(client, world, request, f):
    client.force_login(world.users.staff_a)
    return client.post("/practices/new/", {**_practice_data(world), "files": [f]})


def _practice_edit_page(client, world, request, f):
    practice = _practice(world)
    client.force_login(world.users.staff_a)
    return client.post(f"/practices/{practice.pk}/edit/", {**_practice_data(world), "files": [f]})


CASE_ROWS = (CaseAttachment,)
UPLOADS = [
    Upload("case: requester's supplement (page)", "page", "zhichan.cases.views:track",
           _cases_track_page, "files", CASE_ROWS),
    Upload("case: staff reply (page)", "page", "zhichan.cases.views:detail",
           _cases_reply_page, "files", CASE_ROWS),
    Upload("case: attach (API)", "api", "POST /api/v1/cases/{case_id}/attachments",
           _cases_api_attach, "files", CASE_ROWS),
    Upload("case: requester's supplement (API)", "api", "POST /api/v1/cases/track/{token}/supplement",
           _cases_api_track, "files", CASE_ROWS),
    Upload("custody: action evidence (page)", "page", "zhichan.custody.views:record_action",
           _custody_page, "evidence", (CustodyAction,)),
    Upload("ipdata: import (page)", "page", "zhichan.ipdata.views:imports",
           _import_page, "file", (ImportJob,), IMPORT_MESSAGES),
    Upload("ipdata: import (API)", "api", "POST /api/v1/ipdata/imports",
           _import_api, "file", (ImportJob,), IMPORT_MESSAGES),
    Upload("rectification: response files (page)", "page", "zhichan.evaluation.views:notice_respond",
           _rectification_page, "files", (RectificationResponse, RectificationFile)),
    Upload("rectification: response files (API)", "api",
           "POST /api/v1/evaluation/rectification-notices/{notice_id}/respond",
           _rectification_api, "files", (RectificationResponse, RectificationFile)),
    Upload("evaluation: manual value evidence (page)", "page",
           "zhichan.evaluation.scorecards.views:value_new",
           _manual_value_page, "evidence", (ManualValue, ManualValueEvidence)),
    Upload("evaluation: manual value evidence (API)", "api", "POST /api/v1/evaluation/manual-values",
           _manual_value_api, "evidence", (ManualValue, ManualValueEvidence)),
    Upload("providers: application evidence (page)", "page", "zhichan.providers.views:apply",
           _provider_apply_page, "evidence", (ProviderApplication, ProviderEvidence)),
    Upload("providers: more evidence (page)", "page", "zhichan.providers.views:application_status",
           _provider_status_page, "evidence", (ProviderEvidence,)),
    Upload("providers: more evidence (API)", "api",
           "POST /api/v1/providers/applications/status/{token}/evidence",
           _provider_api, "evidence", (ProviderEvidence,)),
    Upload("practices: files of a new write-up (page)", "page", "zhichan.practices.views:create",
           _practice_new_page, "files", (Practice, PracticeFile)),
    Upload("practices: files added on edit (page)", "page", "zhichan.practices.views:edit",
           _practice_edit_page, "files", (PracticeFile,)),
]  # fmt: skip


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("path", UPLOADS, ids=lambda u: u.name)
def test_upload_is_refused_at_its_field_and_nothing_is_written(client, world, request, _store, path, payload):
    name, data = PAYLOADS[payload]
    if path.messages is IMPORT_MESSAGES and payload == "big":
        data = BIG_CSV
    rows_before = {model: model.objects.count() for model in path.counted}
    files_before = stored_files(_store)
    response = path.send(client, world, request, SimpleUploadedFile(name, data))
    message = (path.messages or MESSAGES)[payload]
    if path.kind == "api":
        assert response.status_code == 422, response.content
        errors = response.json()["detail"]
        assert [e["field"] for e in errors] == [path.field]
        assert any(message in m for m in errors[0]["errors"])
    else:
        assert response.status_code in (200, 422), response.status_code
        body = response.content.decode()
        assert message in body
        if path.field is not None:
            assert f'data-field="{path.field}"' in body or f'data-testid="error-{path.field}"' in body
    assert {model: model.objects.count() for model in path.counted} == rows_before
    assert stored_files(_store) == files_before


# The same paths take a good file (so the refusals above are about the file, nothing else).
GOOD = {"file": ("p.csv", CSV_HEAD + "CN202310000001.1,一种装置,测试公司,2023-01-01\n".encode())}


@pytest.mark.parametrize("path", UPLOADS, ids=lambda u: u.name)
def test_upload_path_takes_a_good_file(client, world, request, _store, path):
    name, data = GOOD["file"] if path.messages is IMPORT_MESSAGES else ("证明.pdf", PDF)
    response = path.send(client, world, request, SimpleUploadedFile(name, data))
    assert response.status_code in (200, 201, 302), response.content[:500]
    assert stored_files(_store)


# --- downloads ------------------------------------------------------------------------------------


def _pdf():
    return SimpleUploadedFile("证明.pdf", PDF)


def _dl_case_staff(world, request):
    from zhichan.cases import services

    case = _case(world)
    [attachment] = services.do_attach(world.users.staff_a, case, [_pdf()])
    return f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}", "staff_a", "staff_b"


def _dl_case_track(world, request):
    from zhichan.cases import services

    case = _case(world)
    [attachment] = services.do_attach(world.users.staff_a, case, [_pdf()])
    [internal] = services.do_attach(world.users.staff_a, case, [_pdf()], internal=True)
    url = f"/api/v1/cases/track/{case.tracking_token}/attachments/"
    return url + str(attachment.pk), "anonymous", url + str(internal.pk)


def _dl_custody(world, request):
    from zhichan.custody import services

    custody, fee = _custody(world, request.getfixturevalue("portfolio"))
    done = services.do_record_action(
        world.users.staff_a,
        custody,
        right_key=fee.right_key,
        deadline_key=fee.key,
        action="fee_paid",
        done_on=dt.date.today(),
        evidence=_pdf(),
    )
    return f"/custody/{custody.pk}/actions/{done.pk}/evidence", "staff_a", "staff_b"


def _dl_rectification(world, request):
    from zhichan.evaluation import rectification

    notice = _notice(world)
    response = rectification.do_respond(world.users.agency_admin_a, notice, text="已整改", files=[_pdf()])
    found = RectificationFile.objects.get(response=response)
    return f"/evaluation/rectification/{notice.pk}/files/{found.pk}/", "agency_admin_a", "county_admin_b"


def _dl_manual_value(world, request):
    from zhichan.evaluation.scorecards import services

    record, _created = services.do_enter_manual_value(
        world.users.agency_admin_a,
        _manual_indicator(world),
        f"agency:{world.centre_a.pk}",
        "2026Q2",
        "93.5",
        files=[_pdf()],
    )
    evidence = record.evidence.get()
    return (
        reverse("evaluation:manual_evidence", args=[record.pk, evidence.pk]),
        "agency_admin_a",
        "county_admin_b",
    )


def _dl_provider(world, request):
    from zhichan.providers import services

    application = services.do_apply(None, files=[_pdf()], **_application_data(world))
    evidence = application.evidence.get()
    return f"/providers/applications/{application.pk}/files/{evidence.pk}/", "county_admin_a", "public"


def _dl_practice_pdf(world, request):
    practice = _practice(world, files=[_pdf()])
    return f"/practices/files/{practice.files.get().pk}/", "staff_a", "anonymous"


def _dl_practice_image(world, request):
    practice = _practice(world, files=[SimpleUploadedFile("照片.png", PNG)])
    return f"/practices/files/{practice.files.get().pk}/", "staff_a", "anonymous"


def _dl_report(world, request):
    from zhichan.ipdata.models import NavigationReport, ReportStatus

    report = NavigationReport.objects.create(
        title="测试产业",
        query="TI=装置",
        requested_by=world.users.staff_b,
        status=ReportStatus.DONE,
        progress=100,
    )
    report.file.save("r.docx", ContentFile(b"PK docx stand-in"), save=True)
    return f"/ipdata/reports/{report.pk}/download/docx/", "staff_b", "staff_a"


@dataclass(frozen=True)
class Download:
    name: str
    code: str  # the module:function that answers with the file (checked for completeness)
    make: object  # (world, request) -> (url, allowed role, refused role or a refused URL)
    disposition: str = "attachment"


DOWNLOADS = [
    Download("case attachment (staff, API)", "zhichan.cases.api:_file", _dl_case_staff),
    Download("case attachment (tracking link, API)", "zhichan.cases.api:_file", _dl_case_track),
    Download("custody evidence", "zhichan.custody.views:evidence", _dl_custody),
    Download("rectification response file", "zhichan.evaluation.views:notice_file", _dl_rectification),
    Download("manual value evidence", "zhichan.evaluation.scorecards.views:value_evidence", _dl_manual_value),
    Download("provider evidence", "zhichan.providers.views:evidence_file", _dl_provider),
    Download("good practice file", "zhichan.practices.views:download", _dl_practice_pdf),
    Download("good practice image", "zhichan.practices.views:download", _dl_practice_image, "inline"),
    Download("navigation report", "zhichan.ipdata.industry_views:report_download", _dl_report),
]


def _login(client, world, role):
    client.logout()
    if role != "anonymous":
        client.force_login(getattr(world.users, role))


@pytest.mark.parametrize("download", DOWNLOADS, ids=lambda d: d.name)
def test_download_is_an_attachment_marked_nosniff_and_only_for_those_allowed(
    client, world, request, download
):
    url, allowed, refused = download.make(world, request)
    _login(client, world, allowed)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].split(";")[0] == download.disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "text/html" not in response["Content-Type"]
    if download.disposition == "inline":
        assert response["Content-Type"] in ("image/png", "image/jpeg", "image/gif", "image/webp")
    b"".join(response.streaming_content)
    if refused.startswith("/"):  # the same user, a file they may not have
        assert client.get(refused).status_code == 404
    else:
        _login(client, world, refused)
        assert client.get(url).status_code in (302, 404)  # anonymous: to the log-in page


# --- the lists are complete -----------------------------------------------------------------------

# Every FileField of every model: the upload paths that fill it, or why none does.
FILE_FIELDS = {
    "cases.CaseAttachment.file": [u.name for u in UPLOADS if u.counted == CASE_ROWS],
    "custody.CustodyAction.evidence": ["custody: action evidence (page)"],
    "ipdata.ImportJob.file": ["ipdata: import (page)", "ipdata: import (API)"],
    "ipdata.NavigationReport.file": "written by the worker (a DOCX it builds), never uploaded",
    "ipdata.NavigationReport.pdf": "written by the worker (a PDF it builds), never uploaded",
}


def test_every_file_field_is_listed():
    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert found == set(FILE_FIELDS)
    names = {u.name for u in UPLOADS}
    for paths in FILE_FIELDS.values():
        assert isinstance(paths, str) or (paths and set(paths) <= names)


def _binary(schema: dict, components: dict) -> bool:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("format") == "binary":
        return True
    nested = [schema.get("items", {}), *schema.get("anyOf", []), *schema.get("allOf", [])]
    nested += list(schema.get("properties", {}).values())
    return any(_binary(s, components) for s in nested if s)


def test_every_api_upload_is_listed():
    from zhichan.api import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    found = set()
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if any(_binary(body.get("schema", {}), components) for body in content.values()):
                found.add(f"{method.upper()} {route}")
    assert found == {u.route for u in UPLOADS if u.kind == "api"}


def _functions_using(predicate) -> set[str]:
    """module:function of every function in src/zhichan whose own body matches `predicate`."""
    found = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = "zhichan." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                predicate(n) for n in ast.walk(node)
            ):
                found.add(f"{module}:{node.name}")
    return found


def _reads_request_files(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "FILES"


def _answers_with_a_file(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name in ("FileResponse", "serve_private")


def test_every_page_upload_is_listed():
    assert _functions_using(_reads_request_files) == {u.route for u in UPLOADS if u.kind == "page"}


def test_every_file_download_is_listed():
    found = _functions_using(_answers_with_a_file) - {"zhichan.notices.files:serve_private"}
    assert found == {d.code for d in DOWNLOADS}
