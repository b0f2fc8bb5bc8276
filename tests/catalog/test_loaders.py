import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhichan.catalog.loaders import load_catalog
from zhichan.catalog.models import GuideStatus, GuideVersion, ServiceItem
from zhichan.core.bundles import DEMO_BUNDLE
from zhichan.core.dataload import DataFileError

pytestmark = pytest.mark.django_db

GOOD = """\
- code: NEW-ONE
  name: 新服务
  name_en: New service
  category: training
  summary: 一项新服务
  owner_region: "990102"
  sort: 3
  guide:
    steps: [申请, 办结]
    materials:
      - {name: 申请书, copies: 1, required: true}
    fees: 免费
    legal_basis:
      - {law: 《中华人民共和国专利法》, article: 第四十八条}
    time_limit_days: 5
    channels: [window]
    agency_types: [service_centre]
    faq:
      - {q: 收费吗？, a: 免费。}
- code: NEW-TWO
  name: 另一项服务
  category: information
  guide:
    steps: [检索]
    time_limit_days: 10
    channels: [online]
"""


def write(tmp_path, text, name="catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_file_creates_items_with_version_one(world, tmp_path):
    result = load_catalog(write(tmp_path, GOOD))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    item = ServiceItem.objects.get(code="NEW-ONE")
    assert item.published and item.owner_region == world.county_a and item.sort == 3
    assert item.current.number == 1 and item.current.status == GuideStatus.PUBLISHED
    assert item.current.materials == [{"name": "申请书", "copies": 1, "required": True}]
    assert not item.versions.filter(status=GuideStatus.DRAFT).exists()


def test_reload_changes_nothing(world, tmp_path):
    path = write(tmp_path, GOOD)
    load_catalog(path)
    versions = GuideVersion.objects.count()
    result = load_catalog(path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert GuideVersion.objects.count() == versions


def test_changed_guide_publishes_version_two(world, tmp_path):
    load_catalog(write(tmp_path, GOOD))
    result = load_catalog(write(tmp_path, GOOD.replace("time_limit_days: 5", "time_limit_days: 7")))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    item = ServiceItem.objects.get(code="NEW-ONE")
    assert item.current.number == 2 and item.current.time_limit_days == 7
    assert item.current.change_note == "updated from data file"
    assert item.versions.get(number=1).status == GuideStatus.SUPERSEDED


def test_changed_name_only_updates_the_item(world, tmp_path):
    load_catalog(write(tmp_path, GOOD))
    result = load_catalog(write(tmp_path, GOOD.replace("name: 新服务", "name: 新服务（改）")))
    assert result.updated == 1
    item = ServiceItem.objects.get(code="NEW-ONE")
    assert item.name == "新服务（改）" and item.current.number == 1


def test_existing_item_with_same_code_gets_a_new_version(world, tmp_path):
    text = GOOD.replace("NEW-ONE", "TM-REG").replace('owner_region: "990102"', "owner_region: ")
    load_catalog(write(tmp_path, text))
    world.item.refresh_from_db()
    assert world.item.current.number == 2 and world.item.name == "新服务"


def test_bad_items_are_listed_per_item_and_field_and_nothing_is_saved(world, tmp_path):
    bad = GOOD.replace("    time_limit_days: 5\n", "").replace("channels: [online]", "channels: [fax]")
    bad += "- code: bad code\n  name: ''\n  category: sport\n  guide: {steps: [], time_limit_days: 400}\n"
    bad += "- code: NEW-TWO\n  name: 重复\n  category: training\n  owner_region: '999999'\n"
    before = (ServiceItem.objects.count(), GuideVersion.objects.count())
    with pytest.raises(DataFileError) as exc:
        load_catalog(write(tmp_path, bad))
    found = {(e.line, e.field) for e in exc.value.errors}
    starts = [n for n, text in enumerate(bad.splitlines(), start=1) if text.startswith("- ")]
    assert starts[0] == 1
    assert (1, "NEW-ONE: guide.time_limit_days") in found
    assert (starts[1], "NEW-TWO: guide.channels") in found
    assert (starts[2], "bad code: code") in found
    assert (starts[2], "bad code: name") in found
    assert (starts[2], "bad code: category") in found
    assert (starts[2], "bad code: guide.steps") in found
    assert (starts[2], "bad code: guide.time_limit_days") in found
    assert (starts[3], "NEW-TWO: code") in found
    assert (starts[3], "NEW-TWO: owner_region") in found
    assert (starts[3], "NEW-TWO: guide") in found
    missing = [e for e in exc.value.errors if e.field == "NEW-ONE: guide.time_limit_days"][0]
    assert missing.message == "A guide needs a time limit in working days."
    assert (ServiceItem.objects.count(), GuideVersion.objects.count()) == before


def test_file_that_is_not_a_list_is_refused(world, tmp_path):
    with pytest.raises(DataFileError):
        load_catalog(write(tmp_path, "code: X\n"))
    with pytest.raises(DataFileError):
        load_catalog(write(tmp_path, "- [unclosed\n"))


def test_command_loads_and_reports_errors(world, tmp_path, capsys):
    call_command("load_catalog", str(write(tmp_path, GOOD)))
    assert "2 created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="guide.time_limit_days"):
        call_command("load_catalog", str(write(tmp_path, GOOD.replace("    time_limit_days: 5\n", ""))))


DEMO_CODES = {
    "TM-REG", "TM-CHANGE", "TM-PLEDGE", "PAT-FEE", "PAT-PRIORITY",
    "PAT-SEARCH", "TM-SEARCH", "NAV-REPORT", "RISK-WARN",
    "ASSIST", "MEDIATE", "FAIR-COMPLAINT", "INFRINGE-REPORT", "PAT-DISPUTE",
    "PLEDGE-FIN", "VALUATION", "INSURANCE",
    "POLICY-CONSULT", "TRAINING", "CUSTODY",
}  # fmt: skip


def test_demo_catalogue_loads_twenty_published_items(db):
    path = DEMO_BUNDLE / "catalog.yaml"
    result = load_catalog(path)
    assert result.created == 20
    items = ServiceItem.objects.all()
    assert set(items.values_list("code", flat=True)) == DEMO_CODES
    for item in items:
        assert item.published and item.current.number == 1, item.code
        guide = item.current
        assert guide.steps and guide.materials and guide.legal_basis and guide.fees, item.code
        assert 2 <= len(guide.faq) <= 3 and item.name_en, item.code
    tm_reg = ServiceItem.objects.get(code="TM-REG").current
    assert "300元" in tm_reg.fees and "270元" in tm_reg.fees and "tm_window" in tm_reg.agency_types
    assert load_catalog(path).unchanged == 20
