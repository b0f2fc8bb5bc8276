"""Review: approve creates the agency and its administrator account; reject needs a reason."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency, AgencyEvent
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.notices.models import Delivery
from zhichan.providers import services
from zhichan.providers.models import ApplicationStatus, ProviderApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(world, application_data):
    return services.do_apply(None, **application_data)


def test_county_admin_approves_in_their_county(world, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.do_approve(world.users.county_admin_a, pending, functions=["information"])
    assert application.status == ApplicationStatus.APPROVED
    agency = application.agency
    assert (agency.type, agency.status, agency.level, agency.region) == (
        "university",
        "operating",
        "county",
        world.county_a,
    )
    assert agency.function_codes == ["information"]
    assert AgencyEvent.objects.filter(agency=agency, kind="created", to_state="operating").exists()
    user = application.account
    assert (user.role, user.agency, user.email) == (Role.AGENCY_ADMIN, agency, "ip@uni.example.edu.cn")
    assert not user.has_usable_password()
    kinds = list(application.events.values_list("kind", "from_state", "to_state"))
    assert kinds == [("submitted", "", "pending"), ("approved", "pending", "approved")]
    delivery = Delivery.objects.get(kind="provider_application_approved")
    assert delivery.address == "ip@uni.example.edu.cn" and "/providers/set-password/" in delivery.link


def test_functions_default_to_those_applied_for(world, pending):
    application = services.do_approve(world.users.city_admin, pending)
    assert application.agency.function_codes == ["information", "training"]


def test_set_password_link_works_once(client, world, pending):
    application = services.do_approve(world.users.city_admin, pending)
    link = services.set_password_path(application.account)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and 'data-testid="set-password-form"' in page.content.decode()
    url = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = client.post(url, {"new_password1": "Ln7-provider-pass", "new_password2": "Ln7-provider-pass"})
    assert response.status_code == 302
    user = User.objects.get(pk=application.account.pk)
    assert user.check_password("Ln7-provider-pass")
    assert not default_token_generator.check_token(user, link.rstrip("/").split("/")[-1])
    again = client.get(link, follow=True)
    assert 'data-testid="set-password-invalid"' in again.content.decode()


@pytest.mark.parametrize(
    "role", ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "county_admin_b"]
)
def test_others_may_not_approve_or_reject(world, pending, role):
    actor = getattr(world.users, role)
    agencies = Agency.objects.count()
    with pytest.raises(PermissionDenied):
        services.do_approve(actor, pending)
    with pytest.raises(PermissionDenied):
        services.do_reject(actor, pending, "no")
    assert ProviderApplication.objects.get(pk=pending.pk).status == ApplicationStatus.PENDING
    assert Agency.objects.count() == agencies and not User.objects.filter(
        role=Role.AGENCY_ADMIN, email=pending.email
    )
    assert pending.events.count() == 1


def test_decided_application_cannot_be_decided_again(world, pending):
    services.do_approve(world.users.city_admin, pending)
    with pytest.raises(TransitionError):
        services.do_approve(world.users.city_admin, pending)
    with pytest.raises(TransitionError):
        services.do_reject(world.users.city_admin, pending, "late")
    assert Agency.objects.filter(name=pending.name).count() == 1
    assert User.objects.filter(email=pending.email).count() == 1


def test_reject_needs_a_reason_and_tells_the_applicant(world, pending, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as exc:
        services.do_reject(world.users.county_admin_a, pending, "  ")
    assert "reason" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        application = services.do_reject(world.users.county_admin_a, pending, "营业执照不清晰")
    assert (application.status, application.reason) == ("rejected", "营业执照不清晰")
    assert application.agency is None and application.account is None
    assert application.events.last().kind == "rejected"
    assert "营业执照不清晰" in Delivery.objects.get(kind="provider_application_rejected").body


def test_name_taken_in_the_county_refuses_approval_whole(world, application_data):
    application = services.do_apply(None, **{**application_data, "name": world.centre_a.name})
    users = User.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.do_approve(world.users.city_admin, application)
    assert "already exists" in exc.value.message_dict["name"][0]
    assert User.objects.count() == users
    assert ProviderApplication.objects.get(pk=application.pk).status == ApplicationStatus.PENDING


def test_bad_functions_at_approval_are_named(world, pending):
    with pytest.raises(ValidationError) as exc:
        services.do_approve(world.users.city_admin, pending, functions=["flying"])
    assert "functions" in exc.value.message_dict


def test_username_taken_gets_a_suffix(world, application_data):
    User.objects.create_user(username=application_data["email"], role=Role.PUBLIC)
    application = services.do_approve(world.users.city_admin, services.do_apply(None, **application_data))
    assert application.account.username == application_data["email"] + "-2"


def test_review_pages_by_role(client, world, pending):
    url = f"/providers/applications/{pending.pk}/"
    for role in ("public", "staff_a", "agency_admin_a", "county_admin_b"):
        client.force_login(getattr(world.users, role))
        assert client.get(url).status_code == 404
        assert client.post(url, {"approve": "1"}).status_code == 404
    client.force_login(world.users.county_admin_a)
    listing = client.get("/providers/applications/")
    assert pending.name in listing.content.decode()
    client.force_login(world.users.county_admin_b)
    assert pending.name not in client.get("/providers/applications/").content.decode()
    client.force_login(world.users.county_admin_a)
    response = client.post(url, {"reject": "1", "reason": ""})
    assert 'data-testid="error-reason"' in response.content.decode()
    response = client.post(url, {"approve": "1", "functions": ["training"]})
    assert response.status_code == 302
    application = ProviderApplication.objects.get(pk=pending.pk)
    assert application.status == "approved" and application.agency.function_codes == ["training"]


def test_evidence_download_only_for_reviewers(client, world, application_data, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n%%EOF\n")
    application = services.do_apply(None, **application_data, files=[pdf])
    evidence = application.evidence.get()
    url = f"/providers/applications/{application.pk}/files/{evidence.pk}/"
    assert client.get(url).status_code == 302  # to the log-in page
    for role in ("public", "staff_a", "county_admin_b"):
        client.force_login(getattr(world.users, role))
        assert client.get(url).status_code == 404
    client.force_login(world.users.county_admin_a)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_expired_link_leads_to_a_new_one_by_email(client, world, pending, mailoutbox, settings):
    application = services.do_approve(world.users.city_admin, pending)
    account = application.account
    assert account.email and not account.has_usable_password()
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is expired
    page = client.get(services.set_password_path(account), follow=True).content.decode()
    assert 'data-testid="ask-new-link"' in page
    settings.PASSWORD_RESET_TIMEOUT = 3600
    mailoutbox.clear()
    response = client.post("/accounts/password-reset/", {"email": account.email.upper()})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [account.email]
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    page = client.get(link.split("testserver", 1)[1], follow=True)
    url = page.redirect_chain[-1][0]
    client.post(url, {"new_password1": "Ln7-provider-pass", "new_password2": "Ln7-provider-pass"})
    assert User.objects.get(pk=account.pk).check_password("Ln7-provider-pass")
