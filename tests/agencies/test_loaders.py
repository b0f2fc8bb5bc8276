import csv

import pytest
from django.core.management import CommandError, call_command

from zhichan.agencies.loaders import AGENCY_COLUMNS, load_agencies
from zhichan.agencies.models import Agency, AgencyEvent
from zhichan.core.dataload import DataFileError

pytestmark = pytest.mark.django_db


def row(**values):
    base = {
        "name": "甲区新工作站",
        "name_en": "New workstation",
        "level": "county",
        "type": "workstation",
        "region_code": "990102",
        "parent_name": "测试市知识产权保护中心",
        "functions": "consultation;training",
        "services": "TM-REG",
        "address": "甲区人民路1号",
        "lng": "112.41",
        "lat": "37.41",
        "opening_hours": "周一至周五",
        "contact_person": "王",
        "phone": "0354-1234567",
        "email": "",
        "website": "",
        "status": "operating",
    }
    base.update(values)
    return base


def write(tmp_path, rows, name="agencies.csv"):
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=AGENCY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def good_rows():
    return [
        row(),
        row(
            name="甲区开发区新站",
            level="park",
            region_code="990102-PARK",
            parent_name="甲区新工作站",
            functions="information",
            services="",
            status="planned",
        ),
        row(name="乙县新窗口", type="tm_window", region_code="990103", parent_name="", lng="", lat=""),
    ]


def test_good_file_loads_and_links_parents(world, tmp_path):
    before = Agency.objects.count()
    result = load_agencies(write(tmp_path, good_rows()))
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Agency.objects.count() == before + 3
    station = Agency.objects.get(name="甲区新工作站")
    assert station.parent == world.city_centre
    assert sorted(station.function_codes) == ["consultation", "training"]
    assert list(station.services.values_list("code", flat=True)) == ["TM-REG"]
    assert station.status == "operating" and station.status_changed_at is not None
    park = Agency.objects.get(name="甲区开发区新站")
    assert park.parent == station and park.status == "planned"
    assert Agency.objects.get(name="乙县新窗口").lng is None
    assert AgencyEvent.objects.filter(kind="created").count() == 3


def test_reload_changes_nothing(world, tmp_path):
    path = write(tmp_path, good_rows())
    load_agencies(path)
    stamps = dict(Agency.objects.values_list("pk", "updated_at"))
    result = load_agencies(path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert dict(Agency.objects.values_list("pk", "updated_at")) == stamps
    assert AgencyEvent.objects.count() == 3


def test_changed_row_updates_with_event(world, tmp_path):
    load_agencies(write(tmp_path, good_rows()))
    rows = good_rows()
    rows[0]["phone"] = "0354-7777777"
    rows[0]["functions"] = "consultation"
    result = load_agencies(write(tmp_path, rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    station = Agency.objects.get(name="甲区新工作站")
    assert station.phone == "0354-7777777" and station.function_codes == ["consultation"]
    event = station.events.get(kind="updated")
    assert event.data["phone"] == ["0354-1234567", "0354-7777777"]


def test_existing_agency_is_matched_by_region_and_name(world, tmp_path):
    result = load_agencies(
        write(
            tmp_path,
            [row(name="甲区知识产权服务中心", type="service_centre", functions="consultation;information")],
        )
    )
    assert (result.created, result.updated) == (0, 1)
    world.centre_a.refresh_from_db()
    assert world.centre_a.phone == "0354-1234567"


@pytest.mark.parametrize(
    ("values", "column", "fragment"),
    [
        ({"region_code": "999999"}, "region_code", "unknown region code 999999"),
        ({"level": "town"}, "level", "is not one of"),
        ({"level": "park"}, "level", "cannot lie in 甲区"),
        ({"type": "bakery"}, "type", "is not one of"),
        ({"status": "sleeping"}, "status", "is not one of"),
        ({"functions": "consultation;dancing"}, "functions", "dancing"),
        ({"services": "TM-REG;NOPE"}, "services", "unknown service code NOPE"),
        ({"lng": "121.5", "lat": "31.2"}, "lng", "km outside"),
        ({"lng": "112.4", "lat": ""}, "lat", "both longitude and latitude"),
        ({"lat": "north"}, "lat", "not a number"),
        ({"parent_name": "不存在的中心"}, "parent_name", "unknown parent agency 不存在的中心"),
        ({"parent_name": "甲区新工作站"}, "parent_name", "own parent"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_each_bad_line_is_reported_and_nothing_saved(world, tmp_path, values, column, fragment):
    before = Agency.objects.count()
    rows = [row(name="先行的好行", parent_name=""), row(**values)]
    with pytest.raises(DataFileError) as exc:
        load_agencies(write(tmp_path, rows))
    errors = exc.value.errors
    assert any(e.line == 3 and e.field == column and fragment in e.message for e in errors), errors
    assert Agency.objects.count() == before
    assert not AgencyEvent.objects.exists()


def test_duplicate_name_in_region_within_file(world, tmp_path):
    with pytest.raises(DataFileError) as exc:
        load_agencies(write(tmp_path, [row(), row(phone="1")]))
    assert [(e.line, e.field) for e in exc.value.errors] == [(3, "name")]
    assert "already on line 2" in exc.value.errors[0].message


def test_parent_cycle_in_file(world, tmp_path):
    rows = [row(name="甲", parent_name="乙"), row(name="乙", parent_name="甲")]
    with pytest.raises(DataFileError) as exc:
        load_agencies(write(tmp_path, rows))
    assert {e.field for e in exc.value.errors} == {"parent_name"}
    assert all("cycle" in e.message for e in exc.value.errors)


def test_ambiguous_parent(world, tmp_path):
    rows = [
        row(name="同名中心", parent_name=""),
        row(name="同名中心", region_code="990103", parent_name="", lng="112.8", lat="37.7"),
        row(name="子站", parent_name="同名中心"),
    ]
    with pytest.raises(DataFileError) as exc:
        load_agencies(write(tmp_path, rows))
    assert [(e.line, e.field) for e in exc.value.errors] == [(4, "parent_name")]
    assert "ambiguous" in exc.value.errors[0].message


def test_missing_column_fails_the_file(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,level\n甲,county\n", encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_agencies(path)
    assert {e.field for e in exc.value.errors} >= {"region_code", "status"}


def test_command_reports_errors(world, tmp_path):
    path = write(tmp_path, [row(region_code="999999")])
    with pytest.raises(CommandError, match="unknown region code"):
        call_command("load_agencies", str(path))


def test_reload_follows_the_lifecycle(world, tmp_path):
    path = write(tmp_path, [row(name="乙县已撤销网点", region_code="990103", parent_name="", lng="", lat="")])
    with pytest.raises(DataFileError) as exc:
        load_agencies(path)
    assert [(e.line, e.field) for e in exc.value.errors] == [(2, "status")]
    assert "cannot go from closed to operating" in exc.value.errors[0].message
    world.closed_b.refresh_from_db()
    assert world.closed_b.status == "closed"
    # A legal move is applied and recorded.
    result = load_agencies(
        write(tmp_path, [row(name="甲区筹建网点", parent_name="", functions="", services="")])
    )
    assert result.updated == 1
    world.planned_a.refresh_from_db()
    assert world.planned_a.status == "operating"
    assert world.planned_a.events.get().data["status"] == ["planned", "operating"]
