import datetime as dt

import pytest

from tests.factories import UserFactory
from tests.watch.conftest import number, portfolio  # noqa: F401 - shared fixture
from zhichan.accounts.models import Role
from zhichan.custody import services


@pytest.fixture(autouse=True)
def _english(english, settings, tmp_path):
    settings.ZHICHAN_CUSTODY_FILES_ROOT = tmp_path / "custody-files"
    from django.utils.functional import empty

    from zhichan.custody.models import custody_files

    custody_files._wrapped = empty  # a fresh storage under the test's directory
    yield
    custody_files._wrapped = empty


@pytest.fixture
def contact(world):
    return UserFactory(username="firm_contact", role=Role.ENTERPRISE, organisation="甲区测试科技有限公司")


@pytest.fixture
def custody(world, portfolio, contact):  # noqa: F811
    """Agency centre_a looks after the county-A enterprise's portfolio since a year ago."""
    return services.do_create_custody(
        world.users.staff_a,
        agency=world.centre_a,
        enterprise=portfolio["enterprise"],
        starts_on=dt.date.today() - dt.timedelta(days=365),
        contacts=[contact],
    )


def fee_key(custody):
    """(right_key, deadline_key) of the next annual fee of the invention."""
    from zhichan.watch import deadlines as dl

    today = dt.date.today()
    for _record, d in services.custody_deadlines(custody):
        if d.kind == dl.ANNUAL_FEE and d.last_day >= today:
            return d
    raise AssertionError("no open fee")
