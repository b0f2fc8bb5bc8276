"""Surveys close by themselves: the daily worker task closes each open survey whose closing day
has passed, through the same service (and log row) as closing by hand, once."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.surveys.conftest import build_survey
from zhichan.core.errors import TransitionError
from zhichan.surveys import services, tasks
from zhichan.surveys.models import SurveyLog

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def test_the_daily_task_closes_ended_surveys_once(world):
    ended = build_survey(world, opens_on=days(-10), closes_on=days(-1))
    last_day = build_survey(world, opens_on=days(-10), closes_on=days(0))
    draft = build_survey(world, status="draft", opens_on=days(-10), closes_on=days(-1))
    closed = build_survey(world, status="closed", opens_on=days(-10), closes_on=days(-2))

    assert tasks.close_ended_surveys.call_local() == 1

    for survey in (ended, last_day, draft, closed):
        survey.refresh_from_db()
    statuses = [s.status for s in (ended, last_day, draft, closed)]
    assert statuses == ["closed", "open", "draft", "closed"]
    [log] = SurveyLog.objects.filter(survey=ended)
    assert (log.kind, log.from_state, log.to_state, log.actor) == ("closed", "open", "closed", None)
    assert "closing day" in log.note
    # Again: nothing more to close, no second log row.
    assert services.close_ended_surveys() == 0
    assert SurveyLog.objects.filter(survey=ended).count() == 1
    assert not SurveyLog.objects.filter(survey__in=[last_day, draft, closed]).exists()
    # The next day the survey that was on its last day closes too.
    assert services.close_ended_surveys(on=days(1)) == 1
    last_day.refresh_from_db()
    assert last_day.status == "closed"


def test_without_a_person_only_an_ended_survey_closes(world):
    running = build_survey(world, closes_on=days(3))
    with pytest.raises(TransitionError):
        services.do_close_survey(None, running)
    running.refresh_from_db()
    assert running.status == "open" and not SurveyLog.objects.filter(survey=running).exists()


def test_closing_by_hand_writes_the_same_kind_of_row(world):
    survey = build_survey(world, closes_on=days(3))
    services.do_close_survey(world.users.city_admin, survey)
    log = SurveyLog.objects.get(survey=survey)
    assert (log.kind, log.to_state, log.actor, log.note) == ("closed", "closed", world.users.city_admin, "")
    assert services.close_ended_surveys(on=days(10)) == 0
