import datetime as dt

import pytest

from zhichan.enterprises.models import Enterprise
from zhichan.ipdata.models import Patent, Trademark
from zhichan.ipdata.numbers import check_digit


def number(digits: str) -> str:
    return f"{digits}.{check_digit(digits)}"


@pytest.fixture
def portfolio(world):
    """An enterprise of county A with a granted invention, a lapsed utility model and a registered mark."""
    today = dt.date.today()
    firm = Enterprise.objects.create(
        name="甲区测试科技有限公司", normalized_name="甲区测试科技", region=world.county_a
    )
    # Filed four years ago plus 40 days: the next annual fee falls within the coming year.
    filed = today.replace(year=today.year - 4, day=min(today.day, 28)) + dt.timedelta(days=40)
    invention = Patent.objects.create(
        application_number=number(f"{filed.year}10000001"),
        application_date=filed,
        grant_date=filed + dt.timedelta(days=500),
        patent_type="invention",
        title="一种测试装置",
        legal_status="valid",
        region=world.county_a,
    )
    lapsed = Patent.objects.create(
        application_number=number(f"{filed.year}20000002"),
        application_date=filed,
        grant_date=filed + dt.timedelta(days=200),
        patent_type="utility",
        title="一种失效装置",
        legal_status="invalid",
        region=world.county_a,
    )
    registered = today.replace(year=today.year - 10, day=min(today.day, 28)) + dt.timedelta(days=100)
    mark = Trademark.objects.create(
        registration_number="88000001",
        name="测试牌",
        nice_class=9,
        registration_date=registered,
        status="registered",
        region=world.county_a,
    )
    for record in (invention, lapsed, mark):
        record.enterprises.add(firm)
    return {"enterprise": firm, "invention": invention, "lapsed": lapsed, "mark": mark}
