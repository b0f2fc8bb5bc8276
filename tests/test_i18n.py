import gettext
from pathlib import Path

import pytest

import zhichan
from scripts.po_report import entries

LOCALE = Path(zhichan.__file__).parent / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def test_every_string_has_a_chinese_translation():
    bad = [msgid for msgid, msgstr, fuzzy in entries(PO) if not msgstr or fuzzy]
    assert bad == []


def test_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [m for m, s, _ in entries(PO) if "%(" not in m and compiled.gettext(m) != s]
    assert stale == [], "run: msgfmt -o django.mo django.po"


@pytest.mark.django_db
def test_simplified_chinese_is_the_default_and_english_is_selectable(client):
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page and "查找服务网点" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Find an outlet" in page


def test_refusals_speak_the_users_language(client, world):
    client.force_login(world.users.city_admin)
    body = {"name": "甲区知识产权服务中心", "level": "county", "type": "workstation", "region_code": "990102"}
    chinese = client.post("/api/v1/agencies/", body, content_type="application/json")
    assert chinese.json()["detail"][0]["errors"] == ["甲区已有名为“甲区知识产权服务中心”的机构"]
    english = client.post(
        "/api/v1/agencies/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    message = "an agency named 甲区知识产权服务中心 already exists in 甲区"
    assert english.json()["detail"][0]["errors"] == [message]
