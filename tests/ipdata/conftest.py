from pathlib import Path

import pytest

from zhichan.core.bundles import DEMO_BUNDLE
from zhichan.ipdata import synthetic
from zhichan.ipdata.models import Patent
from zhichan.regions.models import Region, RegionKind

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


@pytest.fixture
def jinzhong(db, settings):
    """The Jinzhong regions (the demo bundle's file), as the city served."""
    from zhichan.regions.loaders import load_regions
    from zhichan.regions.models import Region

    load_regions(DEMO_BUNDLE / "regions.csv")
    settings.ZHICHAN_CITY_CODE = "140700"
    return {r.name: r for r in Region.objects.all()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fixture():
    return lambda name: FIXTURES / name


PARK = "140703-PARK"


def make_jinzhong():
    """Shanxi > Jinzhong and its eleven counties, with one park under 太谷区."""
    province, _ = Region.objects.get_or_create(
        code="140000", defaults={"name": "山西省", "kind": RegionKind.PROVINCE}
    )
    city, _ = Region.objects.get_or_create(
        code="140700", defaults={"name": "晋中市", "kind": RegionKind.CITY, "parent": province}
    )
    counties = {}
    for i, (code, name) in enumerate(synthetic.jinzhong_counties().items()):
        counties[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "kind": RegionKind.COUNTY, "parent": city, "sort": i}
        )
    park, _ = Region.objects.get_or_create(
        code=PARK,
        defaults={"name": "太谷经济技术开发区", "kind": RegionKind.PARK, "parent": counties["140703"]},
    )
    return city, counties, park


def insert_patents(n, seed, counties, park):
    """Generated patents saved, each linked to the county its address names (every third one of
    太谷区 to the park instead); returns the records with `county` (a code or "") added."""
    names = {name: code for code, name in synthetic.jinzhong_counties().items()}
    names["太谷县"] = "140703"
    records, objects = [], []
    for i, record in enumerate(synthetic.patents(n, seed=seed)):
        code = next(
            (c for name, c in names.items() if "晋中市" in record["address"] and name in record["address"]),
            "",
        )
        region = counties.get(code)
        if code == "140703" and i % 3 == 0:
            region = park
        objects.append(Patent(**record, region=region))
        records.append({**record, "county": code})
    Patent.objects.bulk_create(objects, batch_size=500)
    return records


@pytest.fixture
def jinzhong_tree(db):
    """(city, {code: county}, park) with the eleven counties and a park."""
    return make_jinzhong()


@pytest.fixture
def generated(jinzhong_tree):
    """400 generated patents linked to Jinzhong's counties, in the search index (the statistics
    count through the search engine)."""
    from zhichan.ipdata.search import service

    _city, counties, park = jinzhong_tree
    records = insert_patents(400, 7, counties, park)
    service.rebuild(workers=1)
    return records


ROLES = [
    "anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "staff_b", "agency_admin_b",
    "county_admin_a", "county_admin_b", "city_admin",
]  # fmt: skip
STAFF = ["staff_a", "agency_admin_a", "staff_b", "agency_admin_b", "county_admin_a", "county_admin_b"]


@pytest.fixture
def definitions(world):
    """A public user's private definition, a staff member's shared one, one from the city bundle."""
    from zhichan.ipdata.models import IndustryDefinition

    users = world.users
    return {
        "private": IndustryDefinition.objects.create(
            name="我的农机", ipc_codes=["A01B"], keywords=["播种"], owner=users.public
        ),
        "shared": IndustryDefinition.objects.create(
            name="甲区装备", ipc_codes=["B23", "F16"], owner=users.staff_a, shared=True
        ),
        "bundle": IndustryDefinition.objects.create(name="中医药", ipc_codes=["A61K 36"], shared=True),
    }


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client
