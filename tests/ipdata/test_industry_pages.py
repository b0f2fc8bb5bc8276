"""Industry pages: the list, the form, the landscape page with its charts' data, the XLSX export."""

import html
import io
import json
import re

import pytest
from openpyxl import load_workbook

from tests.ipdata.conftest import ROLES, STAFF, login
from zhichan.ipdata.models import IndustryDefinition, IndustryEvent
from zhichan.ipdata.statistics import landscape

pytestmark = pytest.mark.django_db

FIELD_ERROR = re.compile(r'data-testid="field-error" data-field="(\w+)">([^<]*)<')
VISIBLE = {"private": {"public", "city_admin"}, "shared": set(STAFF) | {"city_admin"}}
CHANGEABLE = {"private": {"public", "city_admin"}, "shared": {"staff_a", "city_admin"}}


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the pages' English wording."""


def field_errors(response) -> dict:
    found = {}
    for field, text in FIELD_ERROR.findall(response.content.decode()):
        found.setdefault(field, []).append(html.unescape(text))
    return found


def test_the_list_needs_a_login(client, world):
    response = client.get("/ipdata/industries/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_the_list_shows_what_the_user_may_see(client, world, definitions, role):
    login(client, world, role)
    body = client.get("/ipdata/industries/").content.decode()
    for key in ("private", "shared"):
        assert (f'data-industry="{definitions[key].pk}"' in body) == (role in VISIBLE[key])


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_a_definition_answer_404_to_who_may_not_see_or_change_it(client, world, definitions, role):
    login(client, world, role)
    for key in ("private", "shared"):
        pk = definitions[key].pk
        can_see, can_change = role in VISIBLE[key], role in CHANGEABLE[key]
        for url, allowed in (
            (f"/ipdata/industries/{pk}/", can_see),
            (f"/ipdata/industries/{pk}/export.xlsx", can_see),
            (f"/ipdata/industries/{pk}/edit/", can_change),
            (f"/ipdata/industries/{pk}/delete/", can_change),
        ):
            assert client.get(url).status_code == (200 if allowed else 404), (url, role)
        if not can_change:
            assert (
                client.post(f"/ipdata/industries/{pk}/edit/", {"name": "改", "ipc_codes": "C"}).status_code
                == 404
            )
            assert client.post(f"/ipdata/industries/{pk}/delete/").status_code == 404
    assert IndustryDefinition.objects.count() == 3 and not IndustryEvent.objects.exists()
    assert set(IndustryDefinition.objects.values_list("name", flat=True)) == {
        "我的农机",
        "甲区装备",
        "中医药",
    }


def test_create_edit_and_delete_through_the_form(client, world):
    client.force_login(world.users.enterprise)
    response = client.post(
        "/ipdata/industries/new/", {"name": "谷子", "ipc_codes": "a01b, A23L", "keywords": "谷子，小米"}
    )
    definition = IndustryDefinition.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ipdata/industries/{definition.pk}/"
    assert definition.owner == world.users.enterprise and definition.ipc_codes == ["A01B", "A23L"]
    assert definition.keywords == ["谷子", "小米"] and not definition.shared
    edit = client.get(f"/ipdata/industries/{definition.pk}/edit/").content.decode()
    assert "A01B, A23L" in edit and 'name="shared"' not in edit  # not staff: nothing to share with
    client.post(
        f"/ipdata/industries/{definition.pk}/edit/", {"name": "谷子产业", "ipc_codes": "A01B", "keywords": ""}
    )
    definition.refresh_from_db()
    assert definition.name == "谷子产业" and definition.keywords == []
    assert client.post(f"/ipdata/industries/{definition.pk}/delete/").status_code == 302
    assert not IndustryDefinition.objects.exists()
    assert list(IndustryEvent.objects.values_list("kind", flat=True)) == ["created", "changed", "deleted"]


def test_refusals_show_at_their_fields(client, world):
    client.force_login(world.users.staff_a)
    response = client.post(
        "/ipdata/industries/new/", {"name": "坏", "ipc_codes": "A01B, Q12", "keywords": "a b"}
    )
    assert response.status_code == 200
    errors = field_errors(response)
    assert "Q12" in errors["ipc_codes"][0] and errors["keywords"]
    assert not IndustryDefinition.objects.exists()


def test_the_landscape_page_shows_the_figures_and_gives_the_charts_their_data(client, world, generated):
    definition = IndustryDefinition.objects.create(
        name="农机", ipc_codes=["A01B", "A01C", "A01D"], owner=world.users.staff_a, shared=True
    )
    ls = landscape(definition.to_query())
    assert ls.total > 0
    client.force_login(world.users.staff_b)
    body = client.get(f"/ipdata/industries/{definition.pk}/").content.decode()
    assert f'<dd class="fs-4 mb-0" data-figure="total">{ls.total}</dd>' in body
    assert "/static/vendor/echarts/echarts.min.js" in body and "/static/ipdata/landscape.js" in body
    assert "<script>" not in body.replace('<script src="', "")  # no inline scripts
    match = re.search(r'<script id="landscape-data" type="application/json">(.*?)</script>', body, re.S)
    data = json.loads(match.group(1))
    assert data["years"] == [y for y, _c in ls.by_year]
    assert sum(sum(s["data"]) for s in data["series"]) == sum(sum(c.values()) for _y, c in ls.by_year)
    assert [(c["code"], c["value"]) for c in data["counties"]] == [(c, n) for c, _name, n in ls.by_county]
    assert [(i["name"], i["value"]) for i in data["ipc"]] == ls.by_ipc
    for code, name, n in ls.by_county:
        assert f'<tr data-county="{code}"><td>{name}</td><td class="text-end">{n}</td></tr>' in body


def test_the_xlsx_export_reads_back(client, world, generated):
    definition = IndustryDefinition.objects.create(
        name="中医药", ipc_codes=["A61K 36"], owner=world.users.public
    )
    ls = landscape(definition.to_query())
    assert ls.total > 0
    client.force_login(world.users.public)
    response = client.get(f"/ipdata/industries/{definition.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Overview",
        "Trend",
        "Types",
        "Legal status",
        "IPC",
        "Counties",
        "Applicants",
        "Inventors",
    ]

    def rows(name):
        return [list(r) for r in book[name].iter_rows(values_only=True)]

    assert rows("Overview")[3] == ["Patents", ls.total]
    trend = rows("Trend")
    assert trend[0] == ["Year", "Invention", "Utility model", "Design", "Total"]
    assert [r[0] for r in trend[1:]] == [y for y, _c in ls.by_year]
    assert sum(r[4] for r in trend[1:]) == sum(sum(c.values()) for _y, c in ls.by_year)
    assert [(r[0], r[2]) for r in rows("Counties")[1:]] == [(c, n) for c, _name, n in ls.by_county]
    assert [tuple(r) for r in rows("Applicants")[1:]] == ls.top_applicants
    assert [tuple(r) for r in rows("IPC")[1:]] == ls.by_ipc
    assert [(r[1], r[2]) for r in rows("Legal status")[1:]] == ls.by_legal_status


def test_xlsx_headers_follow_the_users_language(client, world, definitions):
    client.force_login(world.users.public)
    url = f"/ipdata/industries/{definitions['private'].pk}/export.xlsx"

    def trend_header(**headers):
        book = load_workbook(io.BytesIO(client.get(url, **headers).content))
        return next(book.worksheets[1].iter_rows(values_only=True))

    assert "Invention" in trend_header(HTTP_ACCEPT_LANGUAGE="en")
    assert "发明" in trend_header(HTTP_ACCEPT_LANGUAGE="zh-hans")
