import threading

import pytest
from django.db import connection, connections

from zhichan.agencies.models import Agency, AgencyEvent, AgencyType
from zhichan.agencies.services import do_change_status
from zhichan.core.errors import TransitionError


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users.county_admin_a)
    return client


def form_data(**overrides):
    data = {
        "name": "甲区页面新站",
        "level": "county",
        "type": "workstation",
        "region": "990102",
        "functions": ["consultation", "training"],
        "services": ["TM-REG"],
        "lng": "112.41",
        "lat": "37.41",
        "phone": "0354-1234567",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_page_registers_and_redirects(admin_client, world):
    response = admin_client.post("/network/new/", form_data())
    agency = Agency.objects.get(name="甲区页面新站")
    assert response.status_code == 302 and response["Location"] == f"/network/{agency.pk}/"
    assert sorted(agency.function_codes) == ["consultation", "training"]
    assert agency.events.get().actor == world.users.county_admin_a


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"name": "甲区知识产权服务中心"}, "name", "already exists"),
        ({"lng": "130"}, "lng", "km outside"),
        ({"lat": ""}, "lat", "both longitude and latitude"),
        ({"region": "990103", "lng": "", "lat": ""}, "region", "990103 is not one of the available choices"),
        ({"level": "park"}, "level", "cannot lie in"),
        ({"email": "nope"}, "email", "e-mail"),
    ],
)
def test_create_page_shows_errors_at_the_field(admin_client, world, overrides, field, fragment):
    before = Agency.objects.count()
    response = admin_client.post("/network/new/", form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(fragment in e for e in errors[field]), errors
    assert f'data-field="{field}"' in response.content.decode()
    assert Agency.objects.count() == before


@pytest.mark.django_db
def test_create_page_refused_for_agency_admin(client, world):
    client.force_login(world.users.agency_admin_a)
    assert client.get("/network/new/").status_code == 404
    assert client.post("/network/new/", form_data()).status_code == 404
    assert not Agency.objects.filter(name="甲区页面新站").exists()


@pytest.mark.django_db
def test_status_page_errors(admin_client, world):
    url = f"/network/{world.centre_a.pk}/status/"
    page = admin_client.get(url).content.decode()
    assert '<select name="status"' in page and '<textarea name="finding"' in page
    assert 'data-testid="status-submit"' in page
    response = admin_client.post(url, {"status": "closed", "finding": ""})
    assert "finding" in response.context["form"].errors
    response = admin_client.post(url, {"status": "planned", "finding": "x"})
    assert "status" in response.context["form"].errors
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "operating" and not world.centre_a.events.exists()


@pytest.mark.django_db
def test_double_status_post_makes_one_event(admin_client, world):
    url = f"/network/{world.centre_a.pk}/status/"
    first = admin_client.post(url, {"status": "rectifying", "finding": "投诉"})
    second = admin_client.post(url, {"status": "rectifying", "finding": "投诉"})
    assert first.status_code == 302 and second.status_code == 200
    assert world.centre_a.events.filter(kind="status").count() == 1


@pytest.mark.django_db
def test_upgrade_page_and_history(client, world):
    client.force_login(world.users.county_admin_b)
    url = f"/network/{world.centre_b.pk}/upgrade/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"type": "service_centre", "finding": "验收合格"})
    assert response.status_code == 302
    world.centre_b.refresh_from_db()
    assert world.centre_b.type == AgencyType.SERVICE_CENTRE
    history = client.get(f"/network/{world.centre_b.pk}/history/")
    assert history.status_code == 200
    page = history.content.decode()
    assert page.count('data-testid="agency-event"') == 1 and "验收合格" in page
    states = page.split('data-testid="event-states">')[1].split("</div>")[0]
    assert "tm_guidance_station" not in states and "→" in states  # labels, not codes


@pytest.mark.django_db(transaction=True)
def test_simultaneous_status_changes_make_one_event(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            do_change_status(world.users.city_admin, world.centre_a, "rectifying", "同时提交")
            outcomes.append("ok")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert AgencyEvent.objects.filter(agency=world.centre_a, kind="status").count() == 1


@pytest.mark.django_db
def test_county_admin_form_starts_at_their_county(admin_client, world, client):
    form = admin_client.get("/network/new/").context["form"]
    assert form["level"].value() == "county"
    assert form["region"].value() == world.county_a.code
    client.force_login(world.users.city_admin)
    assert client.get("/network/new/").context["form"]["level"].value() in (None, "")
