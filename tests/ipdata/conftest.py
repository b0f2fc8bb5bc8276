from pathlib import Path

import pytest

from zhichan.core.bundles import DEMO_BUNDLE

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
