"""Industry definitions: validation, the query they stand for, who sees and changes them, the bundle file."""

import pytest
from django.core.exceptions import ValidationError

from tests.ipdata.conftest import ROLES, STAFF
from zhichan.core.dataload import DataFileError
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied
from zhichan.ipdata import industry_services as services
from zhichan.ipdata.loaders import load_industries
from zhichan.ipdata.models import IndustryDefinition, IndustryEvent, clean_ipc_codes, clean_keywords

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


# --- validation and the query ---------------------------------------------------------------------


def test_ipc_codes_are_normalised_in_order_without_repeats():
    assert clean_ipc_codes(["a01b", "A01C", "A01B", "a61k36", "A01B 1/00"]) == [
        "A01B", "A01C", "A61K 36", "A01B 1/00"
    ]  # fmt: skip
    assert clean_ipc_codes("A01B, A01C；C10\nB23") == ["A01B", "A01C", "C10", "B23"]


@pytest.mark.parametrize("bad", ["A1", "X01B", "A01B 1/", "播种", "A01BC"])
def test_bad_ipc_prefixes_are_named_at_the_field(bad):
    with pytest.raises(ValidationError) as info:
        clean_ipc_codes(["A01B", bad])
    assert list(info.value.message_dict) == ["ipc_codes"]
    assert bad in info.value.message_dict["ipc_codes"][0]


@pytest.mark.parametrize("bad", ["two words", 'say "x"', "a(b)", "x=y", "长" * 51])
def test_bad_keywords_are_named_at_the_field(bad):
    with pytest.raises(ValidationError) as info:
        clean_keywords(["播种", bad])
    assert list(info.value.message_dict) == ["keywords"]


def test_model_clean_names_each_field():
    definition = IndustryDefinition(name="x", ipc_codes=["I99"], keywords=["a b"])
    with pytest.raises(ValidationError) as info:
        definition.full_clean()
    assert {"ipc_codes", "keywords"} <= set(info.value.message_dict)
    empty = IndustryDefinition(name="x")
    with pytest.raises(ValidationError) as info:
        empty.full_clean()
    assert "ipc_codes" in info.value.message_dict


@pytest.mark.parametrize(
    ("codes", "words", "query"),
    [
        (["A01B", "A01C"], ["播种", "施肥"], '(IPC=A01B OR IPC=A01C) AND (TX="播种" OR TX="施肥")'),
        (["A01B"], [], "IPC=A01B"),
        ([], ["谷子"], 'TX="谷子"'),
        (["A61K 36", "A01B 1/00"], ["小米"], '(IPC=A61K36 OR IPC=A01B1/00) AND TX="小米"'),
    ],
)
def test_to_query(codes, words, query):
    assert IndustryDefinition(name="x", ipc_codes=codes, keywords=words).to_query() == query


# --- services ---------------------------------------------------------------------------------------


def data(**overrides):
    return {"name": "农机装备", "description": "", "ipc_codes": ["A01B", "A01C"], "keywords": [], **overrides}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_anyone_signed_in_may_keep_definitions(world, role):
    user = getattr(world.users, role)
    definition = services.do_save_definition(user, None, data())
    assert definition.owner == user and not definition.shared
    event = IndustryEvent.objects.get(definition=definition)
    assert event.kind == "created" and event.actor == user
    assert event.data["query"] == "(IPC=A01B OR IPC=A01C)"


def test_anonymous_may_not(world):
    with pytest.raises(PermissionDenied):
        services.do_save_definition(world.users.anonymous, None, data())
    assert not IndustryDefinition.objects.exists()


def test_only_staff_share(world):
    with pytest.raises(ValidationError) as info:
        services.do_save_definition(world.users.public, None, data(shared=True))
    assert "shared" in info.value.message_dict
    assert services.do_save_definition(world.users.staff_a, None, data(shared=True)).shared


def test_refused_input_writes_nothing(world):
    with pytest.raises(ValidationError) as info:
        services.do_save_definition(world.users.public, None, data(name="", ipc_codes=["nonsense"]))
    assert {"name", "ipc_codes"} <= set(info.value.message_dict)
    with pytest.raises(ValidationError) as info:
        services.do_save_definition(world.users.public, None, data(ipc_codes=[], keywords=[]))
    assert "ipc_codes" in info.value.message_dict
    assert not IndustryDefinition.objects.exists() and not IndustryEvent.objects.exists()


def test_a_name_is_used_once_per_owner(world):
    services.do_save_definition(world.users.public, None, data())
    with pytest.raises(ValidationError) as info:
        services.do_save_definition(world.users.public, None, data())
    assert "name" in info.value.message_dict
    services.do_save_definition(world.users.enterprise, None, data())  # another owner may
    assert IndustryDefinition.objects.count() == 2


def test_update_records_the_changes(world, definitions):
    definition = definitions["private"]
    updated = services.do_save_definition(world.users.public, definition, {"keywords": ["播种", "施肥"]})
    assert updated.keywords == ["播种", "施肥"] and updated.ipc_codes == ["A01B"]
    event = IndustryEvent.objects.get(definition=definition, kind="changed")
    assert event.data["changes"] == {"keywords": [["播种"], ["播种", "施肥"]]}
    # Saving the same values again changes nothing and says nothing.
    services.do_save_definition(world.users.public, definition, {"keywords": ["播种", "施肥"]})
    assert IndustryEvent.objects.filter(kind="changed").count() == 1


VISIBLE = {
    # definition -> roles that see it (besides superusers)
    "private": {"public", "city_admin"},
    "shared": set(STAFF) | {"city_admin"},
    "bundle": set(STAFF) | {"city_admin"},
}
CHANGEABLE = {
    "private": {"public", "city_admin"},
    "shared": {"staff_a", "city_admin"},
    "bundle": {"city_admin"},
}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_and_changes_which(world, definitions, role):
    user = getattr(world.users, role)
    seen = {
        k for k, d in definitions.items() if IndustryDefinition.objects.restrict(user, VIEW).filter(pk=d.pk)
    }
    changed = {
        k for k, d in definitions.items() if IndustryDefinition.objects.restrict(user, CHANGE).filter(pk=d.pk)
    }
    assert seen == {k for k, roles in VISIBLE.items() if role in roles}
    assert changed == {k for k, roles in CHANGEABLE.items() if role in roles}


@pytest.mark.parametrize("role", ROLES)
def test_a_refused_change_or_delete_changes_nothing(world, definitions, role):
    user = getattr(world.users, role)
    for key, definition in definitions.items():
        if role in CHANGEABLE[key]:
            continue
        with pytest.raises(PermissionDenied):
            services.do_save_definition(user, definition, {"name": "改名"})
        with pytest.raises(PermissionDenied):
            services.do_delete_definition(user, definition)
        definition.refresh_from_db()
        assert definition.name != "改名"
    assert not IndustryEvent.objects.exists()


def test_delete_leaves_an_event_with_what_was_deleted(world, definitions):
    definition = definitions["shared"]
    services.do_delete_definition(world.users.city_admin, definition)
    assert not IndustryDefinition.objects.filter(pk=definition.pk).exists()
    event = IndustryEvent.objects.get(kind="deleted")
    assert event.actor == world.users.city_admin
    assert event.data["name"] == "甲区装备" and event.data["query"] == "(IPC=B23 OR IPC=F16)"


# --- the bundle file --------------------------------------------------------------------------------


def test_the_demo_bundle_file_loads_and_reloads_unchanged(db):
    from zhichan.core.bundles import DEMO_BUNDLE, read_manifest

    path = DEMO_BUNDLE / read_manifest(DEMO_BUNDLE)["industries"]
    first = load_industries(path)
    assert first.created >= 6 and first.updated == 0
    again = load_industries(path)
    assert again.created == again.updated == 0 and again.unchanged == first.created
    farm = IndustryDefinition.objects.get(name="现代农业装备")
    assert farm.owner is None and farm.shared and farm.ipc_codes == ["A01B", "A01C", "A01D"]
    assert IndustryDefinition.objects.get(name="中医药").to_query() == "IPC=A61K36"


def test_a_bad_bundle_file_names_line_and_field_and_saves_nothing(db, tmp_path):
    path = tmp_path / "industries.yaml"
    path.write_text("- name: 好\n  ipc_codes: [A01B]\n- name: 坏\n  ipc_codes: [A01B, Z9]\n  colour: red\n")
    with pytest.raises(DataFileError) as info:
        load_industries(path)
    text = str(info.value)
    assert "line 3" in text and "ipc_codes" in text and "colour" in text
    assert not IndustryDefinition.objects.exists()
