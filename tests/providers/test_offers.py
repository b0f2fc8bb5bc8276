"""Offers: checked (price cap), published as provider-owned catalogue items, shown in the catalogue."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AgencyFactory, UserFactory
from zhichan.accounts.models import Role
from zhichan.agencies.models import AgencyType
from zhichan.agencies.services import do_change_status
from zhichan.catalog.models import ServiceItem, ServiceItemEvent
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.providers import services
from zhichan.providers.models import Offer

pytestmark = pytest.mark.django_db


def test_offer_is_a_published_catalogue_item_of_the_provider(world, provider, offer):
    item = offer.item
    assert item.provider == provider.agency and item.published and item.code == f"PV{provider.agency.pk}-1"
    assert (item.name, item.category, item.owner_region) == (
        "专利检索公益服务",
        "information",
        world.county_a,
    )
    assert item.current.number == 1 and item.current.fees == "Free" and item.current.time_limit_days == 10
    assert item.current.agency_types == ["university"]
    assert offer.is_free and [r.code for r in offer.counties.all()] == [world.county_a.code]
    assert provider.agency.services.filter(pk=item.pk).exists()
    kinds = list(ServiceItemEvent.objects.filter(item=item).values_list("kind", flat=True))
    assert kinds == ["created", "draft_saved", "published"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "500.01", "A low-cost offer costs at most 500.00 yuan."),
        ("price", "-1", "Not an amount in yuan."),
        ("price", "abc", "Not an amount in yuan."),
        ("price", "1.234", "At most two decimal places"),
        ("price", "NaN", "Not an amount in yuan."),
        ("title", "", "This field is required."),
        ("description", "", "This field is required."),
        ("category", "weird", "Choose one of"),
        ("counties", ["000000"], "Not a county of the city: 000000."),
        ("counties", ["990100"], "Not a county of the city: 990100."),
        ("time_limit_days", "0", "Must be a whole number between 1 and 365."),
        ("capacity_note", "x" * 201, "At most 200 characters"),
        ("colour", "red", "Unknown field."),
    ],
)
def test_each_offer_field_is_checked(world, provider, offer_data, field, value, message):
    with pytest.raises(ValidationError) as exc:
        services.do_create_offer(provider.admin, **{**offer_data, field: value})
    assert message in " ".join(exc.value.message_dict[field])
    assert not ServiceItem.objects.filter(provider=provider.agency).exists()


def test_price_cap_is_a_setting(world, provider, offer_data, settings):
    offer = services.do_create_offer(provider.admin, **{**offer_data, "price": "500"})
    assert offer.price == Decimal("500.00") and offer.item.current.fees == "500.00 yuan"
    settings.ZHICHAN_PROVIDER_LOW_COST_MAX = "100"
    with pytest.raises(ValidationError) as exc:
        services.do_create_offer(provider.admin, **{**offer_data, "price": "100.5"})
    assert "at most 100.00 yuan" in exc.value.message_dict["price"][0]


@pytest.mark.parametrize(
    "role", ["anonymous", "public", "staff_a", "agency_admin_a", "county_admin_a", "city_admin"]
)
def test_only_a_provider_admin_publishes(world, provider, offer_data, role):
    with pytest.raises(PermissionDenied):
        services.do_create_offer(getattr(world.users, role), **offer_data)
    with pytest.raises(PermissionDenied):
        services.do_create_offer(provider.staff, **offer_data)
    assert not Offer.objects.exists()


def test_a_provider_that_is_not_operating_cannot_publish(world, provider, offer_data):
    do_change_status(world.users.county_admin_a, provider.agency, "rectifying", "整改")
    provider.admin.refresh_from_db()
    with pytest.raises(TransitionError):
        services.do_create_offer(provider.admin, **offer_data)


def test_update_publishes_a_new_version_when_the_price_changes(world, provider, offer):
    updated = services.do_update_offer(provider.admin, offer, price="20", title="专利检索服务")
    assert updated.price == Decimal("20.00") and updated.item.name == "专利检索服务"
    assert updated.item.current.number == 2 and updated.item.current.fees == "20.00 yuan"
    with pytest.raises(ValidationError):
        services.do_update_offer(provider.admin, offer, price="9999")
    assert Offer.objects.get(pk=offer.pk).price == Decimal("20.00")


def test_other_provider_admin_cannot_change_it(world, provider, offer):
    other_agency = AgencyFactory(name="乙县图书馆", type=AgencyType.LIBRARY, region=world.county_b)
    other_admin = UserFactory(username="lib_admin", role=Role.AGENCY_ADMIN, agency=other_agency)
    for actor in (other_admin, provider.staff, world.users.public, world.users.county_admin_b):
        with pytest.raises(PermissionDenied):
            services.do_update_offer(actor, offer, title="x")
        with pytest.raises(PermissionDenied):
            services.do_withdraw_offer(actor, offer)
    # The county administrator of the provider's county moderates it.
    services.do_withdraw_offer(world.users.county_admin_a, offer)


def test_withdraw_and_reinstate(world, provider, offer):
    services.do_withdraw_offer(provider.admin, offer)
    assert not ServiceItem.objects.get(pk=offer.item_id).published
    with pytest.raises(TransitionError):
        services.do_withdraw_offer(provider.admin, offer)
    services.do_reinstate_offer(provider.admin, offer)
    kinds = list(ServiceItemEvent.objects.filter(item=offer.item).values_list("kind", flat=True))
    assert kinds[-2:] == ["withdrawn", "reinstated"]


def test_catalogue_shows_offers_beside_government_items(client, world, provider, offer):
    page = client.get("/services/").content.decode()
    assert "专利检索公益服务" in page and world.item.name in page
    assert f"Offered by {provider.agency.name}" in page and 'data-testid="offer-free"' in page
    only_providers = client.get("/services/?source=providers").content.decode()
    assert "专利检索公益服务" in only_providers and world.item.name not in only_providers
    only_government = client.get("/services/?source=government").content.decode()
    assert "专利检索公益服务" not in only_government and world.item.name in only_government
    assert "专利检索公益服务" in client.get("/services/?q=检索").content.decode()
    assert "专利检索公益服务" not in client.get("/services/?category=protection").content.decode()
    guide = client.get(f"/services/{offer.item.code}/").content.decode()
    assert 'data-testid="guide-offer-apply"' in guide and f"/providers/offers/{offer.pk}/apply/" in guide
    listing = client.get("/providers/").content.decode()
    assert provider.agency.name in listing and "专利检索公益服务" in listing


def test_low_cost_badge(client, world, provider, offer_data):
    services.do_create_offer(provider.admin, **{**offer_data, "price": "80"})
    assert "Low-cost: 80.00 yuan" in client.get("/services/").content.decode()


def test_withdrawn_offer_and_closed_provider_leave_the_catalogue(client, world, provider, offer):
    services.do_withdraw_offer(provider.admin, offer)
    assert "专利检索公益服务" not in client.get("/services/").content.decode()
    assert client.get(f"/services/{offer.item.code}/").status_code == 404
    # Its own people still see it.
    client.force_login(provider.admin)
    assert client.get(f"/services/{offer.item.code}/").status_code == 200
    client.logout()
    services.do_reinstate_offer(provider.admin, offer)
    do_change_status(world.users.city_admin, provider.agency, "closed", "撤销")
    assert "专利检索公益服务" not in client.get("/services/").content.decode()
    assert not Offer.objects.restrict(world.users.public).exists()


def test_provider_admin_manages_offers_through_pages(client, world, provider, offer_data):
    client.force_login(provider.admin)
    response = client.post("/providers/offers/new/", {**offer_data, "price": "600"})
    assert 'data-testid="error-price"' in response.content.decode()
    response = client.post("/providers/offers/new/", offer_data)
    assert response.status_code == 302
    offer = Offer.objects.get()
    response = client.post(f"/providers/offers/{offer.pk}/edit/", {**offer_data, "price": "30"})
    assert response.status_code == 302 and Offer.objects.get().price == Decimal("30.00")
    client.post(f"/providers/offers/{offer.pk}/listing/")
    assert not ServiceItem.objects.get(pk=offer.item_id).published
    client.force_login(world.users.agency_admin_a)
    assert client.get(f"/providers/offers/{offer.pk}/edit/").status_code == 404
    assert client.get("/providers/offers/new/").status_code == 404


def test_the_guide_is_written_in_the_site_language(world, provider, offer_data, settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("en"):  # the provider's browser is in English
        offer = services.do_create_offer(provider.admin, **offer_data)
    assert offer.item.current.fees == "免费"
    assert offer.item.current.steps[0] != "Apply online on this page"


def test_the_catalogue_api_names_the_provider_and_price(client, world, provider, offer):
    rows = {row["code"]: row for row in client.get("/api/v1/catalog/items?page_size=100").json()["items"]}
    mine = rows[offer.item.code]
    assert (mine["provider_id"], mine["provider"], mine["price"]) == (
        provider.agency.pk,
        provider.agency.name,
        "0.00",
    )
    government = rows[world.item.code]
    assert government["provider_id"] is None and government["price"] is None


def test_an_offer_form_sent_twice_publishes_one_offer(world, provider, offer_data):
    first = services.do_create_offer(provider.admin, submission_key="offer-1", **offer_data)
    again = services.do_create_offer(provider.admin, submission_key="offer-1", **offer_data)
    assert again.pk == first.pk and Offer.objects.count() == 1
