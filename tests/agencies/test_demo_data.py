from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import ServiceItemFactory
from zhichan.agencies.coverage import compute_coverage
from zhichan.agencies.loaders import load_agencies
from zhichan.agencies.models import Agency, AgencyEvent, AgencyType, Status
from zhichan.core.bundles import DEMO_BUNDLE
from zhichan.regions.loaders import load_boundaries, load_regions
from zhichan.regions.models import Region

pytestmark = pytest.mark.django_db

CODES = [
    "TM-REG", "TM-CHANGE", "TM-PLEDGE", "PAT-FEE", "PAT-PRIORITY",
    "PAT-SEARCH", "TM-SEARCH", "NAV-REPORT", "RISK-WARN",
    "ASSIST", "MEDIATE", "FAIR-COMPLAINT", "INFRINGE-REPORT", "PAT-DISPUTE",
    "PLEDGE-FIN", "VALUATION", "INSURANCE",
    "POLICY-CONSULT", "TRAINING", "CUSTODY",
]  # fmt: skip
CSV = Path(DEMO_BUNDLE) / "agencies.csv"


@pytest.fixture
def jinzhong(db):
    load_regions(DEMO_BUNDLE / "regions.csv")
    load_boundaries(DEMO_BUNDLE / "counties.geojson", {"140726": "140703"})
    for code in CODES:
        ServiceItemFactory(code=code)


def test_demo_agencies_load_and_reload_unchanged(jinzhong):
    first = load_agencies(CSV)
    count = Agency.objects.count()
    assert first.created == count and 35 <= count <= 45
    assert AgencyEvent.objects.filter(kind="created").count() == count
    again = load_agencies(CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, count)
    assert AgencyEvent.objects.count() == count


def test_demo_network_has_what_the_plan_asks_for(jinzhong):
    load_agencies(CSV)
    window = Agency.objects.get(type=AgencyType.TM_WINDOW, region__code="140703")
    assert window.status == Status.OPERATING
    assert {"TM-REG", "TM-CHANGE", "TM-SEARCH"} <= set(window.services.values_list("code", flat=True))
    counties = Region.objects.counties()
    for county in counties:
        assert Agency.objects.filter(region=county, level="county").exists(), county.name
    for park in Region.objects.parks():
        assert Agency.objects.filter(region=park, level="park").exists(), park.name
    assert Agency.objects.filter(services__code="PLEDGE-FIN", type=AgencyType.FINANCIAL).exists()
    assert Agency.objects.filter(type=AgencyType.TM_GUIDANCE_STATION).count() >= 2
    assert 2 <= Agency.objects.filter(status=Status.PLANNED).count() <= 3
    assert Agency.objects.filter(status=Status.RECTIFYING).count() == 1
    coverage = compute_coverage(Region.objects.get(code="140700"))
    assert 0 < coverage.covered < coverage.total  # some gaps remain to show
    assert all(a.lng and a.lat for a in Agency.objects.all())


def test_load_agencies_command(jinzhong, capsys):
    call_command("load_agencies", str(CSV))
    assert "created" in capsys.readouterr().out
