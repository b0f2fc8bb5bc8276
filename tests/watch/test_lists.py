"""Watch lists: who keeps them, who sees them, and what an item must say."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from tests.watch.conftest import number
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied
from zhichan.enterprises.models import Enterprise
from zhichan.ipdata.models import Patent
from zhichan.watch import services
from zhichan.watch.models import WatchList


@pytest.fixture
def lists(world):
    """A list kept by the enterprise itself (county A), one kept by agency B for a firm of county B."""
    firm_b = Enterprise.objects.create(
        name="乙县某食品有限公司", normalized_name="乙县某食品", region=world.county_b
    )
    own = services.do_create_list(world.users.enterprise, "品牌")
    kept = services.do_create_list(world.users.staff_b, "竞争对手", enterprise=firm_b.pk)
    return own, kept, firm_b


def test_an_enterprise_user_keeps_lists_for_their_own_enterprise(world, lists):
    own, kept, firm_b = lists
    assert own.enterprise == world.enterprise_a and own.agency is None
    # Naming another enterprise changes nothing: the link decides.
    other = services.do_create_list(world.users.enterprise, "其他", enterprise=firm_b.pk)
    assert other.enterprise == world.enterprise_a
    assert kept.enterprise == firm_b and kept.agency == world.centre_b


@pytest.mark.parametrize("role", ["public", "county_admin_a", "city_admin"])
def test_other_roles_keep_no_lists(world, role):
    with pytest.raises(PermissionDenied):
        services.do_create_list(getattr(world.users, role), "x", enterprise=world.enterprise_a.pk)


def test_an_enterprise_user_without_a_confirmed_enterprise_keeps_none(world):
    user = UserFactory(username="unlinked", role="enterprise", organisation="某公司")
    with pytest.raises(PermissionDenied):
        services.do_create_list(user, "x")


def test_bad_list_input_names_the_field(world, lists, english):
    staff = world.users.staff_a
    with pytest.raises(ValidationError) as exc:
        services.do_create_list(staff, "  ", enterprise=None, digest="hourly")
    assert set(exc.value.message_dict) == {"name", "enterprise", "digest"}
    with pytest.raises(ValidationError) as exc:
        services.do_create_list(world.users.enterprise, "品牌")
    assert "already" in exc.value.message_dict["name"][0]
    assert WatchList.objects.count() == 2


VISIBLE = {
    "anonymous": (set(), set()),
    "public": (set(), set()),
    "enterprise": ({"own"}, {"own"}),
    "staff_a": (set(), set()),
    "staff_b": ({"kept"}, {"kept"}),
    "agency_admin_b": ({"kept"}, {"kept"}),
    "county_admin_a": ({"own"}, set()),
    "county_admin_b": ({"kept"}, set()),
    "city_admin": ({"own", "kept"}, set()),
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_sees_and_changes_only_its_lists(world, lists, role):
    own, kept, _firm = lists
    names = {own.pk: "own", kept.pk: "kept"}
    user = getattr(world.users, role)
    view, change = VISIBLE[role]
    assert {names[pk] for pk in WatchList.objects.restrict(user, VIEW).values_list("pk", flat=True)} == view
    assert {
        names[pk] for pk in WatchList.objects.restrict(user, CHANGE).values_list("pk", flat=True)
    } == change


def test_another_enterprise_cannot_change_a_list(world, lists):
    own, _kept, firm_b = lists
    rival = UserFactory(username="rival", role="enterprise", enterprise=firm_b)
    with pytest.raises(PermissionDenied):
        services.do_add_item(rival, own, "applicant", text="乙县某食品有限公司")
    with pytest.raises(PermissionDenied):
        services.do_delete_list(rival, own)
    assert own.items.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "", "nice_classes": "30"}, "text"),
        ({"text": "★★！", "nice_classes": "30"}, "text"),
        ({"text": "长" * 51, "nice_classes": "30"}, "text"),
        ({"text": "康师傅", "nice_classes": ""}, "nice_classes"),
        ({"text": "康师傅", "nice_classes": "30, 46"}, "nice_classes"),
    ],
)
def test_a_watched_mark_needs_words_and_classes(world, lists, data, field):
    own = lists[0]
    with pytest.raises(ValidationError) as exc:
        services.do_add_item(world.users.enterprise, own, "mark", **data)
    assert field in exc.value.message_dict
    assert own.items.count() == 0


def test_items_of_each_kind_and_no_double_watching(world, lists):
    own = lists[0]
    user = world.users.enterprise
    patent = Patent.objects.create(
        application_number=number("202310000001"),
        patent_type="invention",
        title="一种装置",
        legal_status="pending",
    )
    mark = services.do_add_item(user, own, "mark", text=" 康师傅 ", nice_classes="30，29")
    assert (mark.text, mark.nice_classes) == ("康师傅", [29, 30])
    watched = services.do_add_item(
        user, own, "patent", application_number="2023 1 0000001." + patent.application_number[-1]
    )
    assert watched.patent == patent and watched.last_status == "pending"
    field = services.do_add_item(user, own, "field", ipc_prefixes="h01m10, A01B", keywords="电池，储能")
    assert field.ipc_prefixes == ["A01B", "H01M 10"] and field.keywords == ["电池", "储能"]
    assert services.do_add_item(user, own, "mark", text="康师傅", nice_classes="29 30") == mark
    assert own.items.count() == 3


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("patent", {"application_number": ""}, "application_number"),
        ("patent", {"application_number": "201510163325.1"}, "application_number"),  # wrong check digit
        ("patent", {"application_number": "201510163325.6"}, "application_number"),  # not on record
        ("field", {}, "ipc_prefixes"),
        ("field", {"ipc_prefixes": "Z99"}, "ipc_prefixes"),
        ("applicant", {"text": ""}, "text"),
        ("colour", {}, "kind"),
    ],
)
def test_bad_items_are_refused_at_their_field(world, lists, kind, data, field):
    own = lists[0]
    with pytest.raises(ValidationError) as exc:
        services.do_add_item(world.users.enterprise, own, kind, **data)
    assert field in exc.value.message_dict
    assert own.items.count() == 0
