import functools
import re

import pytest
import yaml

from zhichan.core.bundles import DEMO_BUNDLE
from zhichan.diagnosis.loaders import SAFE_LOADER

QUESTIONNAIRE = DEMO_BUNDLE / "diagnosis.yaml"


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


@functools.cache
def references(path=QUESTIONNAIRE):
    """The catalogue codes and statute articles a questionnaire file names."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
    codes, refs = set(), set()
    for finding in data["findings"]:
        codes.update(finding.get("services") or [])
        refs.update(re.sub(r"\s+", " ", r) for r in finding.get("legal_basis") or [])
    return frozenset(codes), frozenset(refs)


def make_references(codes, refs):
    """Published catalogue items and statute articles, the few the questionnaire needs."""
    from zhichan.catalog.models import GuideStatus, GuideVersion, ServiceItem
    from zhichan.knowledge.loaders import chinese_number
    from zhichan.knowledge.models import Article, Law

    existing = set(ServiceItem.objects.values_list("code", flat=True))
    items = ServiceItem.objects.bulk_create(
        [
            ServiceItem(code=code, name=f"服务{code}", category="information")
            for code in sorted(codes - existing)
        ]
    )
    versions = GuideVersion.objects.bulk_create(
        [
            GuideVersion(item=i, number=1, status=GuideStatus.PUBLISHED, steps=["办理"], time_limit_days=5)
            for i in items
        ]
    )
    for item, version in zip(items, versions, strict=True):
        item.current, item.published = version, True
    ServiceItem.objects.bulk_update(items, ["current", "published"])
    laws = {}
    for short in sorted({ref.split(" ")[0] for ref in refs}):
        laws[short] = Law.objects.get_or_create(short_name=short, defaults={"title": short})[0]
    Article.objects.bulk_create(
        [
            Article(law=laws[short], ordinal=chinese_number(number[1:-1]), number=number, text="条文")
            for short, number in (ref.split(" ") for ref in sorted(refs))
        ],
        ignore_conflicts=True,
    )


@pytest.fixture
def questionnaire(world):
    """The demo city's questionnaire, loaded into the test world."""
    from zhichan.diagnosis.loaders import load_questionnaire
    from zhichan.diagnosis.models import Questionnaire

    make_references(*references())
    load_questionnaire(QUESTIONNAIRE)
    return Questionnaire.objects.active()


def uscc(body="91990102MA0K0000"):
    from zhichan.enterprises.uscc import check_character

    first17 = (body + "0" * 17)[:17]
    return first17 + check_character(first17)


@pytest.fixture
def enterprise(world):
    """An enterprise of county A with a trademark in class 30 due for renewal, one in class 35
    long expired, and a granted patent that lapsed."""
    import datetime as dt

    from django.utils import timezone

    from zhichan.enterprises.models import Enterprise
    from zhichan.ipdata.models import Patent, Trademark

    today = timezone.localdate()
    company = Enterprise.objects.create(
        name="甲区老陈醋有限公司", normalized_name="甲区老陈醋", uscc=uscc(), region=world.county_a
    )
    marks = [
        Trademark.objects.create(
            registration_number="10000001",
            name="甲醋",
            nice_class=30,
            status="registered",
            expiry_date=today + dt.timedelta(days=100),
        ),
        Trademark.objects.create(
            registration_number="10000002",
            name="甲醋",
            nice_class=35,
            status="invalid",
            expiry_date=today - dt.timedelta(days=900),
        ),
    ]
    patent = Patent.objects.create(
        application_number="201910000001.1",
        title="一种酿醋装置",
        patent_type="utility",
        legal_status="invalid",
        grant_date=today - dt.timedelta(days=1000),
    )
    for record in (*marks, patent):
        record.enterprises.add(company)
    return company
