"""A run's publish button goes through core.forms.act_and_report: the success or the refusal as a
message, forbidden as 404, and nothing written when refused."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.evaluation.test_drilldown_template import county_run  # noqa: F401 - fixture
from zhichan.evaluation.models import RunEvent
from zhichan.evaluation.scorecards import services

pytestmark = pytest.mark.django_db


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_publishing_from_the_page_reports_success_then_the_refusal(client, world, county_run, english):  # noqa: F811
    admin = world.users.city_admin
    run = services.do_run(admin, county_run.scorecard, "2026Q2")
    url = reverse("evaluation:run_publish", args=[run.pk])
    client.force_login(world.users.county_admin_a)
    assert client.post(url).status_code == 404  # may not change runs
    run.refresh_from_db()
    assert run.status == "draft"
    client.force_login(admin)
    done = client.post(url, follow=True)
    assert done.redirect_chain == [(reverse("evaluation:run", args=[run.pk]), 302)]
    assert texts(done) == ["The run is published; it can no longer change."]
    again = client.post(url, follow=True)  # the page shows the refusal
    assert again.status_code == 200
    assert texts(again) == ["Only a draft run can be published; this one is published."]
    assert RunEvent.objects.filter(run=run, kind="published").count() == 1
