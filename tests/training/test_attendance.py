"""Check-in by code within the window, feedback once after attending, certificates for attendees."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhichan.core.permissions import PermissionDenied
from zhichan.ipdata import charts
from zhichan.training import certificates, services
from zhichan.training.models import Feedback, Registration, TrainingEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon(make):
    start = timezone.now() + dt.timedelta(minutes=20)
    return make(starts_at=start, ends_at=start + dt.timedelta(hours=2))


def test_check_in_with_the_code(soon, people):
    reg, _ = services.do_register(people[0], soon)
    checked = services.do_check_in(people[0], soon, code=f" {soon.checkin_code.lower()} ")
    assert checked.pk == reg.pk and checked.status == "attended" and checked.checked_in_by == people[0]
    again = services.do_check_in(people[0], soon, code=soon.checkin_code)
    assert again.checked_in_at == checked.checked_in_at


def test_a_wrong_code_is_refused(soon, people):
    services.do_register(people[0], soon)
    with pytest.raises(ValidationError) as exc:
        services.do_check_in(people[0], soon, code="WRONG1")
    assert exc.value.message_dict["code"] == ["That is not this event's check-in code."]
    assert Registration.objects.get(user=people[0]).status == "registered"


def test_check_in_needs_a_seat(soon, people):
    with pytest.raises(ValidationError) as exc:
        services.do_check_in(people[0], soon, code=soon.checkin_code)
    assert "not registered" in exc.value.message_dict["code"][0]
    soon.capacity = 1
    soon.save()
    services.do_register(people[1], soon)
    services.do_register(people[2], soon)
    with pytest.raises(ValidationError) as exc:
        services.do_check_in(people[2], soon, code=soon.checkin_code)
    assert "waiting list" in exc.value.message_dict["code"][0]


@pytest.mark.parametrize("minutes_before, ok", [(61, False), (59, True)])
def test_the_window_opens_before_the_start(make, people, settings, minutes_before, ok):
    settings.ZHICHAN_TRAINING_CHECKIN_MINUTES = 60
    start = timezone.now() + dt.timedelta(minutes=minutes_before)
    event = make(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    services.do_register(people[0], event)
    if ok:
        assert services.do_check_in(people[0], event, code=event.checkin_code).status == "attended"
    else:
        with pytest.raises(ValidationError) as exc:
            services.do_check_in(people[0], event, code=event.checkin_code)
        assert "Check-in opens" in exc.value.message_dict["code"][0]


def test_the_window_closes_at_the_end(soon, people):
    services.do_register(people[0], soon)
    TrainingEvent.objects.filter(pk=soon.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError) as exc:
        services.do_check_in(people[0], soon, code=soon.checkin_code)
    assert "Check-in closed" in exc.value.message_dict["code"][0]


def test_staff_check_in_an_attendee_without_the_code(world, soon, people):
    reg, _ = services.do_register(people[0], soon)
    with pytest.raises(PermissionDenied):
        services.do_check_in(world.users.staff_b, soon, registration=reg)
    with pytest.raises(PermissionDenied):
        services.do_check_in(people[1], soon, registration=reg)
    checked = services.do_check_in(world.users.staff_a, soon, registration=reg)
    assert checked.status == "attended" and checked.checked_in_by == world.users.staff_a


def attended(world, make, person):
    start = timezone.now() + dt.timedelta(minutes=10)
    event = make(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    reg, _ = services.do_register(person, event)
    services.do_check_in(person, event, code=event.checkin_code)
    return event, Registration.objects.get(pk=reg.pk)


def test_feedback_once_after_attending(world, make, people):
    event, reg = attended(world, make, people[0])
    feedback = services.do_give_feedback(people[0], reg, 5, "很实用")
    assert feedback.rating == 5
    with pytest.raises(ValidationError) as exc:
        services.do_give_feedback(people[0], reg, 4)
    assert "already" in exc.value.message_dict["registration"][0]
    assert Feedback.objects.count() == 1


def test_feedback_refused_before_attending_or_out_of_range(make, people):
    event = make()
    reg, _ = services.do_register(people[0], event)
    with pytest.raises(ValidationError) as exc:
        services.do_give_feedback(people[0], reg, 9, "x")
    assert {"rating", "registration"} <= set(exc.value.message_dict)
    assert not Feedback.objects.exists()


def test_feedback_only_by_the_attendee(world, make, people):
    event, reg = attended(world, make, people[0])
    with pytest.raises(PermissionDenied):
        services.do_give_feedback(people[1], reg, 5)
    with pytest.raises(PermissionDenied):
        services.do_give_feedback(world.users.city_admin, reg, 5)


def test_certificate_only_for_attendees_of_finished_events(world, make, people):
    event, reg = attended(world, make, people[0])
    assert "once the organiser" in services.certificate_refusal(reg)
    other, _ = services.do_register(people[1], event)
    TrainingEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    services.do_finish_event(world.users.staff_a, event)
    reg.refresh_from_db()
    other.refresh_from_db()
    assert services.certificate_refusal(reg) is None
    assert other.status == "no_show" and "attended" in services.certificate_refusal(other)


def finished_attendance(world, make, person):
    event, reg = attended(world, make, person)
    TrainingEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    services.do_finish_event(world.users.staff_a, event)
    return Registration.objects.select_related("event__organiser", "user").get(pk=reg.pk)


def test_certificate_pdf_with_a_cjk_font(world, make, people, tmp_path):
    if charts.cjk_font() is None:
        pytest.skip("no CJK font on this machine (Debian: fonts-noto-cjk)")
    reg = finished_attendance(world, make, people[0])
    cert = certificates.build(reg)
    assert cert.content.startswith(b"%PDF") and cert.content_type == "application/pdf"
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        (tmp_path / "c.pdf").write_bytes(cert.content)
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True
        ).stdout
        assert "Certificate of training" in text and reg.certificate_number in text


def test_certificate_docx_without_a_cjk_font(world, make, people, settings):
    from docx import Document

    settings.ZHICHAN_REPORT_FONT = "none"
    reg = finished_attendance(world, make, people[0])
    cert = certificates.build(reg)
    assert cert.filename.endswith(".docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(cert.content)).paragraphs)
    assert reg.certificate_number in text and "No CJK font" in text


def test_certificate_page_answers_the_attendee_only(client, world, make, people, settings):
    settings.ZHICHAN_REPORT_FONT = "none"
    reg = finished_attendance(world, make, people[0])
    url = f"/training/registrations/{reg.pk}/certificate/"
    client.force_login(people[1])
    assert client.get(url).status_code == 404
    client.force_login(world.users.city_admin)
    assert client.get(url).status_code == 404
    client.force_login(people[0])
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    body = client.get(f"/training/{reg.event_id}/").content.decode()
    assert 'data-testid="training-certificate"' in body and "No CJK font" in body
