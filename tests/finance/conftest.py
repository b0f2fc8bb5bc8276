import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.factories import AgencyFactory, UserFactory
from tests.watch.conftest import number
from zhichan.accounts.models import Role
from zhichan.agencies.models import AgencyType, Level
from zhichan.enterprises.models import Enterprise
from zhichan.finance import services
from zhichan.ipdata.models import Patent, Trademark


@pytest.fixture(autouse=True)
def _english(english):
    yield


def make_patent(digits, *, status="valid", ipc="A01B 1/00", years_ago=3, region=None, title="一种测试装置"):
    filed = dt.date.today().replace(day=1) - dt.timedelta(days=365 * years_ago)
    return Patent.objects.create(
        application_number=number(digits),
        application_date=filed,
        grant_date=filed + dt.timedelta(days=400),
        patent_type="invention",
        title=title,
        legal_status=status,
        main_ipc=ipc,
        region=region,
    )


@pytest.fixture
def fin(world):
    return make_fin(world)


def make_fin(world):
    """Bank A (serves the whole city) and bank B, an insurer, their staff, a published product of
    bank A, and the county-A enterprise's portfolio: two valid inventions, a lapsed one, a mark."""
    bank_a = AgencyFactory(name="甲银行", type=AgencyType.FINANCIAL, level=Level.CITY, region=world.city)
    bank_b = AgencyFactory(name="乙银行", type=AgencyType.FINANCIAL, level=Level.CITY, region=world.city)
    insurer = AgencyFactory(name="丙保险", type=AgencyType.FINANCIAL, level=Level.CITY, region=world.city)
    users = SimpleNamespace(
        bank_a=UserFactory(username="bank_a", role=Role.AGENCY_STAFF, agency=bank_a),
        bank_a_admin=UserFactory(username="bank_a_admin", role=Role.AGENCY_ADMIN, agency=bank_a),
        bank_b=UserFactory(username="bank_b", role=Role.AGENCY_STAFF, agency=bank_b),
        insurer=UserFactory(username="insurer", role=Role.AGENCY_STAFF, agency=insurer),
    )
    firm = world.enterprise_a
    p1 = make_patent("202110000001", region=world.county_a)
    p2 = make_patent("202110000002", region=world.county_a, ipc="H04L 9/00")
    lapsed = make_patent("202110000003", status="invalid", region=world.county_a)
    mark = Trademark.objects.create(
        registration_number="88000001",
        name="测试牌",
        nice_class=9,
        status="registered",
        registration_date=dt.date.today() - dt.timedelta(days=800),
        expiry_date=dt.date.today() + dt.timedelta(days=2800),
    )
    for record in (p1, p2, lapsed):
        record.enterprises.add(firm)
    mark.enterprises.add(firm)
    other = Enterprise.objects.create(name="乙县另一公司", normalized_name="乙县另一", region=world.county_b)
    foreign = make_patent("202110000004", region=world.county_b)
    foreign.enterprises.add(other)
    product = services.do_save_product(
        users.bank_a,
        institution=bank_a,
        name="知识产权质押贷",
        amount_min="100000",
        amount_max="5000000",
        term_min_months=12,
        term_max_months=36,
        rate_min="3.45",
        rate_max="4.80",
        ip_types=["patent", "trademark"],
        published=True,
    )
    product_b = services.do_save_product(
        users.bank_b,
        institution=bank_b,
        name="乙县专利贷",
        amount_min="50000",
        amount_max="1000000",
        term_min_months=6,
        term_max_months=24,
        rate_min="4",
        rate_max="5",
        ip_types=["patent"],
        regions=[world.county_b],
        published=True,
    )
    return SimpleNamespace(
        bank_a=bank_a,
        bank_b=bank_b,
        insurer=insurer,
        users=users,
        firm=firm,
        other=other,
        p1=p1,
        p2=p2,
        lapsed=lapsed,
        mark=mark,
        foreign=foreign,
        product=product,
        product_b=product_b,
    )


def apply(world, fin, **overrides):
    args = {
        "product": fin.product,
        "patents": [fin.p1],
        "trademarks": [],
        "amount": Decimal("1000000"),
        "term_months": 24,
        "purpose": "购买设备",
    }
    args.update(overrides)
    return services.do_apply(world.users.enterprise, **args)


def approved(world, fin, **overrides):
    application = apply(world, fin, **overrides)
    services.do_start_review(fin.users.bank_a, application)
    return services.do_approve(fin.users.bank_a, application, "同意")
