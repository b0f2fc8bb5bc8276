import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from zhichan.cases import services

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


@pytest.fixture(autouse=True)
def _case_files(settings, tmp_path):
    settings.ZHICHAN_CASE_FILES_ROOT = tmp_path / "case-files"
    from django.utils.functional import empty

    from zhichan.cases.models import case_files

    case_files._wrapped = empty  # the lazy storage picks up the new location


class Sent(list):
    """Notifications sent so far. Reading it first runs the on-commit callbacks of committed
    blocks, as a real commit would (the test's own transaction never commits); callbacks of
    rolled-back blocks are already gone, so they never send."""

    def __init__(self):
        super().__init__()
        self._done = len(connection.run_on_commit)

    def flush(self):
        while self._done < len(connection.run_on_commit):
            _sids, func, *_rest = connection.run_on_commit[self._done]
            self._done += 1
            func()

    def __iter__(self):
        self.flush()
        return super().__iter__()

    def __len__(self):
        self.flush()
        return super().__len__()

    def __eq__(self, other):
        self.flush()
        return list.__eq__(self, other)

    def __contains__(self, item):
        self.flush()
        return super().__contains__(item)

    def __getitem__(self, i):
        self.flush()
        return super().__getitem__(i)

    def clear(self):
        self.flush()
        super().clear()


@pytest.fixture
def sent(monkeypatch, db):
    """Every notification sent, as dicts of kind, to, subject, body, case."""
    calls = Sent()

    def record(recipients, kind, subject, body, link="", case=None):
        list.append(calls, {"kind": kind, "to": recipients, "subject": subject, "body": body, "case": case})

    monkeypatch.setattr("zhichan.cases.notify.send", record)
    return calls


class Clock:
    """timezone.now() pinned to a moment the test moves."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now = self.now + dt.timedelta(**delta)
        return self.now

    def set(self, moment):
        self.now = moment
        return moment


@pytest.fixture
def clock():
    c = Clock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))  # a Monday
    with mock.patch.object(timezone, "now", c):
        yield c


def file_case(actor=None, **fields):
    data = {
        "type": "complaint",
        "subject": "展位侵权",
        "description": "有人冒用我的商标",
        "requester_name": "张三",
        "requester_phone": "13800000000",
        "region": "990102",
    }
    data.update(fields)
    channel = data.pop("channel", "web")
    return services.do_intake(actor, channel, **data)


@pytest.fixture
def case_a(world):
    """A complaint in county A, owned by centre_a through a routing rule."""
    from zhichan.cases.models import RoutingRule

    RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    RoutingRule.objects.create(case_type="complaint", region=world.county_b, agency=world.centre_b)
    return file_case()
