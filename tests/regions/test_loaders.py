import json

import pytest
from django.core.management import CommandError, call_command

from zhichan.core.bundles import DEMO_BUNDLE
from zhichan.core.dataload import DataFileError
from zhichan.regions.loaders import bounding_box, load_boundaries, load_regions
from zhichan.regions.models import Region, RegionBoundary, RegionKind

pytestmark = pytest.mark.django_db

HEADER = "code,name,name_en,kind,parent_code,lng,lat\n"


def write(tmp_path, text, name="regions.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_regions_load_all_eleven_counties_and_parks():
    result = load_regions(DEMO_BUNDLE / "regions.csv")
    assert result.created == 16
    counties = Region.objects.counties()
    assert counties.count() == 11
    assert set(counties.values_list("code", flat=True)) >= {"140702", "140703", "140781"}
    assert Region.objects.get(code="140703").name == "太谷区"
    park = Region.objects.get(code="140703-NHTZ")
    assert park.kind == RegionKind.PARK and park.county.code == "140703"
    assert Region.objects.get(code="140702401").county.name == "榆次区"


def test_reloading_changes_nothing():
    load_regions(DEMO_BUNDLE / "regions.csv")
    before = list(Region.objects.values_list("pk", "code", "name", "parent_id", "sort"))
    again = load_regions(DEMO_BUNDLE / "regions.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 16)
    assert list(Region.objects.values_list("pk", "code", "name", "parent_id", "sort")) == before


def test_another_city_loads_the_same_way(tmp_path):
    path = write(
        tmp_path,
        HEADER + "330100,杭州市,Hangzhou,city,,120.15,30.28\n"
        "330102,上城区,Shangcheng,county,330100,120.17,30.25\n",
    )
    assert load_regions(path).created == 2
    assert Region.objects.get(code="330102").parent.code == "330100"


def test_unknown_parent_and_bad_fields_are_reported_per_line_and_nothing_saved(tmp_path):
    path = write(
        tmp_path,
        HEADER + "990100,测试市,,city,,112.5,37.5\n"
        "990101,甲区,,county,123456,112.5,37.5\n"
        "99x,乙区,,county,990100,112.5,37.5\n"
        "990103,,,county,990100,500,37.5\n"
        "990104,丁区,,village,990100,112.5,37.5\n",
    )
    with pytest.raises(DataFileError) as info:
        load_regions(path)
    messages = [str(e) for e in info.value.errors]
    assert "line 3, parent_code: unknown region code 123456" in messages
    assert any(m.startswith("line 4, code:") for m in messages)
    assert "line 5, name: required" in messages
    assert any(m.startswith("line 5, lng:") for m in messages)
    assert any(m.startswith("line 6, kind:") for m in messages)
    assert Region.objects.count() == 0


def test_missing_column_fails_the_file(tmp_path):
    path = write(tmp_path, "code,name\n990100,测试市\n")
    with pytest.raises(DataFileError, match="column missing"):
        load_regions(path)


def test_wrong_nesting_is_refused(tmp_path):
    path = write(tmp_path, HEADER + "990100,测试市,,city,,,\n990101,甲区,,county,,,\n")
    with pytest.raises(DataFileError, match="a county cannot lie in a nothing"):
        load_regions(path)


def test_duplicate_code_in_file(tmp_path):
    path = write(tmp_path, HEADER + "990100,测试市,,city,,,\n990100,测试市,,city,,,\n")
    with pytest.raises(DataFileError, match="already on line 2"):
        load_regions(path)


def test_boundaries_with_rename_and_bbox():
    load_regions(DEMO_BUNDLE / "regions.csv")
    result = load_boundaries(DEMO_BUNDLE / "counties.geojson", {"140726": "140703"})
    assert result.created == 11
    assert Region.objects.get(code="140703").boundary.geometry["type"] == "Polygon"
    min_lng, min_lat, max_lng, max_lat = bounding_box(Region.objects.get(code="140700"))
    assert 111.0 < min_lng < max_lng < 114.5 and 36.0 < min_lat < max_lat < 38.5
    assert load_boundaries(DEMO_BUNDLE / "counties.geojson", {"140726": "140703"}).unchanged == 11


def test_boundaries_unknown_code_without_rename_fails_whole_file():
    load_regions(DEMO_BUNDLE / "regions.csv")
    with pytest.raises(DataFileError, match="unknown region code 140726"):
        load_boundaries(DEMO_BUNDLE / "counties.geojson")
    assert not RegionBoundary.objects.exists()


def test_malformed_geojson(tmp_path):
    path = write(tmp_path, "{not json", "b.geojson")
    with pytest.raises(DataFileError, match="not readable GeoJSON"):
        load_boundaries(path)
    path = write(tmp_path, json.dumps({"type": "Feature"}), "c.geojson")
    with pytest.raises(DataFileError, match="FeatureCollection"):
        load_boundaries(path)


def test_command_reports_errors_without_traceback(tmp_path):
    path = write(tmp_path, HEADER + "990101,甲区,,county,404040,,\n")
    with pytest.raises(CommandError, match="unknown region code 404040"):
        call_command("load_regions", str(path))
