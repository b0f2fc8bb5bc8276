"""Each screening served is logged for the evaluation's counts: when, who, county, classes; never the mark."""

from django.urls import reverse

from tests.factories import make_world
from zhichan.screening.models import ScreeningLog


def _fields(log):
    return {f.name: getattr(log, f.name) for f in ScreeningLog._meta.fields}


def test_the_page_logs_an_anonymous_screening_without_the_mark(client, register):
    response = client.get(reverse("screening:screening"), {"mark": "康帅傅", "classes": "30,29"})
    assert response.status_code == 200
    log = ScreeningLog.objects.get()
    assert (log.channel, log.user, log.region, log.agency, log.classes) == ("page", None, None, None, 2)
    assert not any("康" in str(value) for value in _fields(log).values())


def test_bad_input_and_the_empty_form_log_nothing(client, db):
    client.get(reverse("screening:screening"))
    client.get(reverse("screening:screening"), {"mark": "★★", "classes": "99"})
    assert not ScreeningLog.objects.exists()


def test_the_api_and_export_log_the_county_of_the_person(client, register):
    world = make_world()
    client.force_login(world.users.staff_a)
    response = client.post(
        "/api/v1/screening/", {"mark": "雷碧", "classes": [32]}, content_type="application/json"
    )
    assert response.status_code == 200
    client.force_login(world.users.enterprise)
    response = client.get(reverse("screening:export"), {"mark": "雪碧", "classes": "32"})
    assert response.status_code == 200
    logs = list(ScreeningLog.objects.order_by("pk"))
    assert [(x.channel, x.agency_id, x.region_id) for x in logs] == [
        ("api", world.centre_a.pk, world.county_a.pk),
        ("export", None, world.county_a.pk),
    ]
