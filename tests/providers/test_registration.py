"""Registration: each field is checked and named, one pending application per credit code."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.providers.conftest import OTHER_USCC, USCC
from zhichan.notices.models import Delivery, Notice
from zhichan.providers import services
from zhichan.providers.models import (
    ApplicationStatus,
    ProviderApplication,
    ProviderApplicationEvent,
    ProviderEvidence,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def refused(data, **files):
    with pytest.raises(ValidationError) as exc:
        services.do_apply(None, **data, **files)
    assert not ProviderApplication.objects.exists()
    return exc.value.message_dict


def test_apply_stores_one_pending_application_with_event_and_notices(
    world, application_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.do_apply(None, **application_data)
    assert application.status == ApplicationStatus.PENDING
    assert application.region == world.county_a and application.functions == ["information", "training"]
    event = ProviderApplicationEvent.objects.get(application=application)
    assert (event.kind, event.to_state) == ("submitted", "pending")
    assert Delivery.objects.filter(
        address=application_data["email"], kind="provider_application_received"
    ).exists()
    # The reviewers: county A's administrator and the city administrator, not county B's.
    notified = set(
        Notice.objects.filter(kind="provider_application_new").values_list("recipient__username", flat=True)
    )
    assert notified == {"county_admin_a", "city_admin"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "x" * 151, "At most 150 characters"),
        ("type", "service_centre", "Choose one of: university, library, social_org, market_provider."),
        ("type", None, "Choose one of"),
        ("region", "", "This field is required."),
        ("region", "000000", "Unknown county code 000000."),
        ("region", "990100", "Choose a county or a park."),
        ("address", "  ", "This field is required."),
        ("contact_person", "", "This field is required."),
        ("phone", "", "This field is required."),
        ("phone", "call me", "Not a phone number."),
        ("email", "", "This field is required."),
        ("email", "not-an-address", "Not an e-mail address."),
        ("uscc", "", "This field is required."),
        ("uscc", "12345", "Not a unified social credit code"),
        ("uscc", USCC[:17] + ("0" if USCC[17] != "0" else "1"), "wrong check character"),
        ("services", "", "This field is required."),
        ("functions", ["flying"], "flying: not one of"),
        ("name", "bad\x00name", "Contains a NUL character."),
    ],
)
def test_each_field_is_checked(world, application_data, field, value, message):
    errors = refused({**application_data, field: value})
    assert field in errors and message in " ".join(errors[field])


def test_unknown_field_is_refused(world, application_data):
    errors = refused({**application_data, "website": "http://x"})
    assert errors == {"website": ["Unknown field."]}


def test_credit_code_is_normalised(world, application_data):
    application = services.do_apply(None, **{**application_data, "uscc": f"  {USCC.lower()} "})
    assert application.uscc == USCC


def test_double_submission_is_one_record(world, application_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.do_apply(None, **application_data)
        second = services.do_apply(None, **application_data)
    assert first.pk == second.pk and ProviderApplication.objects.count() == 1
    assert Delivery.objects.filter(kind="provider_application_received").count() == 1


def test_another_application_with_a_pending_code_is_refused(world, application_data):
    services.do_apply(None, **application_data)
    with pytest.raises(ValidationError) as exc:
        services.do_apply(None, **{**application_data, "name": "另一个机构", "email": "x@example.com"})
    assert "already waiting for review" in exc.value.message_dict["uscc"][0]
    assert ProviderApplication.objects.count() == 1


def test_a_registered_provider_cannot_apply_again(world, provider, application_data):
    with pytest.raises(ValidationError) as exc:
        services.do_apply(None, **application_data)
    assert "already a provider" in exc.value.message_dict["uscc"][0]


def test_after_rejection_the_code_may_apply_again(world, application_data):
    first = services.do_apply(None, **application_data)
    services.do_reject(world.users.city_admin, first, "材料不全")
    second = services.do_apply(None, **application_data)
    assert second.pk != first.pk and second.status == ApplicationStatus.PENDING


def test_evidence_is_checked_and_stored(world, application_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    good = SimpleUploadedFile("licence.pdf", PDF)
    application = services.do_apply(None, **application_data, files=[good])
    evidence = ProviderEvidence.objects.get(application=application)
    assert evidence.original_name == "licence.pdf" and evidence.content_type == "application/pdf"
    assert (tmp_path / evidence.path).is_file()


def test_bad_evidence_refuses_everything(world, application_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ValidationError) as exc:
        services.do_apply(None, **{**application_data, "uscc": OTHER_USCC}, files=[bad])
    assert "licence.pdf" in exc.value.message_dict["evidence"][0]
    assert not ProviderApplication.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_apply_page_shows_errors_at_the_fields(client, world, application_data):
    data = {**application_data, "uscc": "12345", "email": "nope"}
    response = client.post("/providers/apply/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="error-uscc"' in body and 'data-testid="error-email"' in body
    assert not ProviderApplication.objects.exists()


def test_apply_page_with_evidence_redirects_to_status(client, world, application_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = {**application_data, "evidence": io.BytesIO(PDF)}
    data["evidence"].name = "licence.pdf"
    response = client.post("/providers/apply/", data)
    application = ProviderApplication.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/providers/apply/{application.token}/"
    )
    assert application.evidence.count() == 1
    page = client.get(response["Location"])
    assert "Pending review" in page.content.decode()
