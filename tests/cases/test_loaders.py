import pytest

from zhichan.cases.loaders import load_routing_rules
from zhichan.cases.models import RoutingRule
from zhichan.cases.routing import route
from zhichan.core.bundles import DEMO_BUNDLE, load_bundle
from zhichan.core.dataload import DataFileError

pytestmark = pytest.mark.django_db

HEADER = "case_type,region_code,ip_type,service_code,agency,agency_region,priority\n"


def write(tmp_path, body):
    path = tmp_path / "routing.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_load_and_reload_unchanged(world, tmp_path):
    path = write(
        tmp_path,
        "complaint,,,,测试市知识产权保护中心,,0\ncomplaint,990102,trademark,,甲区知识产权服务中心,990102,5\n",
    )
    first = load_routing_rules(path)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = load_routing_rules(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert route("complaint", world.county_a, "trademark") == world.centre_a
    assert RoutingRule.objects.get(region=world.county_a).priority == 5


def test_errors_by_line_and_field_nothing_saved(world, tmp_path):
    path = write(
        tmp_path,
        "complaint,,,,测试市知识产权保护中心,,0\n"
        "wish,,,,测试市知识产权保护中心,,0\n"
        "complaint,999999,,,测试市知识产权保护中心,,0\n"
        "complaint,,bitcoin,NOPE,无此机构,,x\n"
        "complaint,,,,测试市知识产权保护中心,,0\n",
    )
    with pytest.raises(DataFileError) as err:
        load_routing_rules(path)
    found = {(e.line, e.field) for e in err.value.errors}
    assert found == {
        (3, "case_type"),
        (4, "region_code"),
        (5, "ip_type"),
        (5, "service_code"),
        (5, "agency"),
        (5, "priority"),
        (6, ""),
    }
    assert not RoutingRule.objects.exists()


def test_demo_bundle_routes_cases(db):
    load_bundle(DEMO_BUNDLE, log=lambda *_: None)
    from zhichan.regions.models import Region

    taigu = Region.objects.get(code="140703")
    assert route("consultation", taigu).name == "太谷区知识产权服务中心"
    assert route("complaint", taigu).name == "太谷区知识产权服务中心"
    # Counties without a complaint rule send complaints to the city protection centre.
    assert route("complaint", Region.objects.get(code="140728")).name == "晋中市知识产权保护中心"
    pingyao = Region.objects.get(code="140728")
    assert route("assistance", pingyao).name == "平遥县知识产权维权援助分中心"
    from zhichan.catalog.models import ServiceItem

    assert (
        route("service_application", taigu, "", ServiceItem.objects.get(code="TM-REG")).name
        == "太谷区商标受理窗口"
    )
    # No rule names 昔阳 (its workstation is under rectification): the city centre answers.
    assert route("consultation", Region.objects.get(code="140724")).name == "晋中市知识产权公共服务中心"
