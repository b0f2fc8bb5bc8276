"""Counties from addresses, enterprises from applicants."""

import pytest

from zhichan.enterprises.models import Enterprise
from zhichan.enterprises.names import is_organisation, normalize_name
from zhichan.enterprises.uscc import check_character
from zhichan.ipdata.linking import CountyFinder, Linker
from zhichan.regions.models import Region


def code(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    ("address", "county"),
    [
        ("山西省晋中市太谷区铭贤南路1号", "太谷区"),
        ("030801 山西省晋中市太谷区铭贤南路1号", "太谷区"),
        ("山西省太谷县城关镇", "太谷区"),  # the old name of the district
        ("太谷县胡村镇", "太谷区"),
        ("榆次区迎宾街1号", "榆次区"),
        ("晋中市榆次迎宾街1号", "榆次区"),  # short form
        ("榆次市顺城街", "榆次区"),  # before 1999 Yuci was a county-level city
        ("山西晋中介休市北关", "介休市"),
        ("介休义安镇", "介休市"),
        ("山西省祁县昭馀镇", "祁县"),
        ("中国山西省晋中市 平遥县 古陶镇", "平遥县"),
        ("晋中市山西转型综合改革示范区晋中开发区汇通路", "榆次区"),  # a park: its county
        ("晋中市经济技术开发区（祁县）", "祁县"),
    ],
)
def test_county_from_address(jinzhong, address, county):
    finder = CountyFinder(jinzhong["晋中市"])
    assert finder.county(address) == jinzhong[county]


@pytest.mark.parametrize(
    "address",
    [
        "北京市海淀区中关村大街1号",
        "山西省太原市小店区坞城路1号",  # this province, another city
        "太原市小店区平阳路",
        "陕西省西安市雁塔区",  # 陕西, not 山西
        "河北省邢台市平乡县",
        "晋中市",  # the city, no county
        "和顺路8号",  # a street named after a county, no place before it
        "",
        None,
    ],
)
def test_no_county_outside_the_city(jinzhong, address):
    assert CountyFinder(jinzhong["晋中市"]).county(address) is None


def test_a_short_name_two_counties_share_is_not_used(db):
    from tests.factories import RegionFactory

    city = RegionFactory(code="990100", name="测试市", kind="city")
    RegionFactory(code="990101", name="东城区", parent=city)
    RegionFactory(code="990102", name="东城县", parent=city)
    finder = CountyFinder(city)
    assert finder.county("东城路1号") is None
    assert finder.county("东城区1号").name == "东城区"


def test_names_are_normalised():
    assert normalize_name("晋中市禾丰农业科技有限公司") == "晋中市禾丰农业科技"
    assert normalize_name("晋中市 禾丰农业科技有限责任公司") == "晋中市禾丰农业科技"
    assert normalize_name("晋中市禾丰农业科技股份有限公司") == "晋中市禾丰农业科技"
    assert (
        normalize_name("山西某某（集团）有限公司")
        == normalize_name("山西某某(集团)有限公司")
        == "山西某某集团"
    )
    assert normalize_name("ＡＢＣ科技有限公司") == "ABC科技"
    assert normalize_name("有限公司") == "有限公司"  # nothing left: kept whole


def test_organisations_and_people():
    assert is_organisation("山西农业大学")
    assert is_organisation("和顺县某某农民专业合作社")
    assert is_organisation("晋中市禾丰农业科技有限公司")
    assert not is_organisation("张三")
    assert not is_organisation("欧阳明华")


def test_enterprises_by_code_then_name(jinzhong):
    taigu = jinzhong["太谷区"]
    by_code = Enterprise.objects.create(
        name="晋中市禾丰农业科技有限公司",
        normalized_name="晋中市禾丰农业科技",
        uscc=code("91140700MA0GRXXX1"),
    )
    other = Enterprise.objects.create(name="山西农业大学", normalized_name="山西农业大学", region=taigu)
    linker = Linker()
    links = linker.link(
        [
            {
                "applicants": ["晋中市禾丰农业科技有限责任公司", "山西农业大学", "张三"],
                "address": "山西省晋中市太谷区",
            },
            {"applicants": ["禾丰改名公司"], "applicant_uscc": [by_code.uscc], "address": "北京市"},
            {"applicants": ["山西农业大学"], "address": ""},  # no address: the enterprise's county
            {"title": "no applicants"},
        ]
    )
    assert links[0].region_id == taigu.pk and links[0].enterprise_ids == sorted([by_code.pk, other.pk])
    assert links[1].region_id is None and links[1].enterprise_ids == [by_code.pk]
    assert links[2].region_id == taigu.pk and links[2].enterprise_ids == [other.pk]
    assert not links[3].region_known and not links[3].enterprises_known
    assert linker.created == 0


def test_same_name_other_code_is_another_enterprise(jinzhong):
    Enterprise.objects.create(
        name="晋中市甲有限公司", normalized_name="晋中市甲", uscc=code("91140700111111111")
    )
    links = Linker().link(
        [{"applicants": ["晋中市甲有限公司"], "applicant_uscc": [code("91140700701386343")]}]
    )
    assert links[0].enterprise_ids == []


def test_local_first_applicants_are_candidates(jinzhong):
    linker = Linker()
    candidate = linker.candidate(
        {"applicants": ["左权县核桃产业有限公司", "李四有限公司"], "address": "左权县城关镇"}
    )
    assert (candidate.name, candidate.normal, candidate.county_id) == (
        "左权县核桃产业有限公司",
        "左权县核桃产业",
        jinzhong["左权县"].pk,
    )
    assert linker.candidate({"applicants": ["北京某某科技有限公司"], "address": "北京市海淀区"}) is None
    assert linker.candidate({"applicants": ["刘八"], "address": "晋中市榆次区"}) is None  # a person
    assert linker.candidate({"applicants": [], "address": "晋中市榆次区"}) is None
    coded = linker.candidate(
        {"applicants": ["刘八"], "applicant_uscc": [code("92140702MA0000001")], "address": "榆次区"}
    )
    assert coded.uscc and coded.county_id == jinzhong["榆次区"].pk  # a registered sole trader


def test_register_creates_the_missing_ones_once(jinzhong):
    linker = Linker()
    Enterprise.objects.create(name="左权县甲有限公司", normalized_name="左权县甲")
    records = [
        {"applicants": ["左权县甲有限责任公司"], "address": "左权县"},  # registered already
        {"applicants": ["左权县乙有限公司"], "address": "左权县"},
        {"applicants": ["左权县乙股份有限公司"], "address": "左权县"},  # the same as the last
        {"applicants": ["左权县丙公司"], "applicant_uscc": [code("91140722MA0000001")], "address": "左权县"},
    ]
    assert linker.register(filter(None, map(linker.candidate, records))) == 2
    assert linker.register(filter(None, map(linker.candidate, records))) == 0
    assert sorted(Enterprise.objects.values_list("normalized_name", flat=True)) == [
        "左权县丙公司",
        "左权县乙",
        "左权县甲",
    ]
    links = linker.link(records)
    assert len({tuple(link.enterprise_ids) for link in links}) == 3
    assert links[1].enterprise_ids == links[2].enterprise_ids
    assert linker.created == 2


def test_no_city_no_county(db):
    assert CountyFinder(None).county("山西省晋中市太谷区") is None
    assert Region.objects.count() == 0
