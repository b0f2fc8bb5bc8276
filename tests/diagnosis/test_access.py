"""Who reads which diagnosis: everyone their own; agencies those behind their cases; county
administrators their county's; the city administrator all submitted ones. Only the owner changes one."""

import pytest

from tests.diagnosis.helpers import answer_all
from zhichan.cases.models import CaseType, RoutingRule
from zhichan.core.permissions import CHANGE, VIEW
from zhichan.diagnosis import services
from zhichan.diagnosis.models import Diagnosis

pytestmark = pytest.mark.django_db


@pytest.fixture
def diagnoses(questionnaire, world):
    RoutingRule.objects.create(
        case_type=CaseType.SERVICE_APPLICATION, region=world.county_a, agency=world.centre_a
    )
    u = world.users

    def submit(user, region, name):
        answers = answer_all(questionnaire.definition, "last")
        return services.do_submit(user, answers=answers, enterprise_name=name, region=region)

    ent = submit(u.enterprise, "990102", "甲区企业")
    services.do_open_case(u.enterprise, ent, service_item="TM-SEARCH")
    pub = submit(u.public, "990103", "乙县企业")
    staff_b = submit(u.staff_b, "990103", "乙县另一企业")
    draft = services.do_save_draft(u.enterprise, answers={"export": "none"}, region="990102")
    return {"ent": ent, "pub": pub, "staff_b": staff_b, "draft": draft}


READS = {
    "anonymous": set(),
    "public": {"pub"},
    "enterprise": {"ent", "draft"},
    "staff_a": {"ent"},
    "agency_admin_a": {"ent"},
    "staff_b": {"staff_b"},
    "agency_admin_b": set(),
    "county_admin_a": {"ent"},
    "county_admin_b": {"pub", "staff_b"},
    "city_admin": {"ent", "pub", "staff_b"},
}
CHANGES = {
    "anonymous": set(),
    "public": {"pub"},
    "enterprise": {"ent", "draft"},
    "staff_b": {"staff_b"},
    "county_admin_a": set(),
    "city_admin": set(),
}


def names(qs, diagnoses):
    ids = set(qs.values_list("pk", flat=True))
    return {name for name, d in diagnoses.items() if d.pk in ids}


@pytest.mark.parametrize("role", sorted(READS))
def test_who_reads_which(role, world, diagnoses):
    user = getattr(world.users, role)
    assert names(Diagnosis.objects.restrict(user, VIEW), diagnoses) == READS[role]


@pytest.mark.parametrize("role", sorted(CHANGES))
def test_only_the_owner_changes(role, world, diagnoses):
    user = getattr(world.users, role)
    assert names(Diagnosis.objects.restrict(user, CHANGE), diagnoses) == CHANGES[role]


@pytest.mark.parametrize("role", sorted(READS))
def test_report_page_and_downloads_follow_the_same_rule(role, client, world, diagnoses):
    user = getattr(world.users, role)
    if role != "anonymous":
        client.force_login(user)
    ent = diagnoses["ent"]
    expected = 200 if "ent" in READS[role] else 404
    if role == "anonymous":
        expected = 404
    for url in (f"/diagnosis/{ent.pk}/", f"/diagnosis/{ent.pk}/print/", f"/diagnosis/{ent.pk}/report.docx"):
        assert client.get(url).status_code == expected, url
    api = client.get(f"/api/v1/diagnosis/diagnoses/{ent.pk}")
    assert api.status_code == expected
    listed = client.get("/api/v1/diagnosis/diagnoses?limit=200").json()["items"]
    assert {d["id"] for d in listed} == {diagnoses[n].pk for n in READS[role]}


def test_a_draft_has_no_report_page_even_for_its_owner(client, world, diagnoses):
    client.force_login(world.users.enterprise)
    assert client.get(f"/diagnosis/{diagnoses['draft'].pk}/").status_code == 404


def test_agency_loses_sight_when_the_case_is_referred_away(world, diagnoses):
    from zhichan.cases import services as cases

    case = diagnoses["ent"].cases.get()
    cases.do_refer(world.users.staff_a, case, world.centre_b, "乙县办理")
    assert names(Diagnosis.objects.restrict(world.users.staff_a, VIEW), diagnoses) == set()
    assert names(Diagnosis.objects.restrict(world.users.staff_b, VIEW), diagnoses) == {"ent", "staff_b"}
