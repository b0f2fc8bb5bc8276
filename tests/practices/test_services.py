"""Good practice: writing, the draft → submitted → published | returned workflow, unpublishing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.practices.conftest import fields
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.practices import services
from zhichan.practices.models import Practice, PracticeFile, PracticeLog

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.mark.parametrize("role", ["staff_a", "agency_admin_a", "county_admin_a", "city_admin"])
def test_staff_and_administrators_write(world, write, role):
    practice = write(getattr(world.users, role), agency=None if role == "city_admin" else world.centre_a)
    assert practice.status == "draft" and practice.tags == ["商标", "品牌", "指导站"]
    assert list(practice.log.values_list("kind", flat=True)) == ["created"]


@pytest.mark.parametrize("role", ["anonymous", "public", "enterprise"])
def test_the_public_does_not_write(world, write, role):
    with pytest.raises(PermissionDenied):
        write(getattr(world.users, role))
    assert not Practice.objects.exists()


def test_bad_fields_are_named(world, write):
    with pytest.raises(ValidationError) as info:
        write(
            title="",
            body="<script>alert(1)</script>正文",
            category="gossip",
            county=world.county_b,
            agency=None,
            tags=["t"] * 3 + [f"标签{n}" for n in range(9)],
        )
    assert set(info.value.message_dict) == {"title", "body", "category", "county", "tags"}
    assert "HTML" in info.value.message_dict["body"][0]
    with pytest.raises(ValidationError) as info:
        write(world.users.county_admin_a, agency=world.centre_b)
    assert "agency" in info.value.message_dict
    assert not Practice.objects.exists()


def test_a_case_link_only_to_a_case_the_author_may_view(world, write, case_a):
    practice = write(case_number=case_a.number.lower())
    assert practice.case == case_a
    with pytest.raises(ValidationError) as info:
        write(world.users.staff_b, county=world.county_b, agency=world.centre_b, case_number=case_a.number)
    assert info.value.message_dict["case_number"] == ["No case with this number that you may view."]


def test_submit_approve_and_unpublish(world, write):
    practice = write()
    services.do_submit_practice(world.users.staff_a, practice)
    with pytest.raises(TransitionError):
        services.do_submit_practice(world.users.staff_a, practice)
    with pytest.raises(TransitionError):
        services.do_update_practice(world.users.staff_a, practice, title="改")
    for reviewer in ("county_admin_b", "staff_a", "agency_admin_a", "public"):
        with pytest.raises(PermissionDenied):
            services.do_approve_practice(getattr(world.users, reviewer), practice)
    services.do_approve_practice(world.users.county_admin_a, practice)
    practice.refresh_from_db()
    assert (
        practice.status == "published"
        and practice.published_at
        and practice.reviewed_by == world.users.county_admin_a
    )
    with pytest.raises(TransitionError):
        services.do_approve_practice(world.users.city_admin, practice)
    with pytest.raises(PermissionDenied):
        services.do_unpublish_practice(world.users.county_admin_a, practice)
    services.do_unpublish_practice(world.users.city_admin, practice, "信息需更新")
    practice.refresh_from_db()
    assert practice.status == "unpublished"
    # The author may revise and submit again.
    services.do_update_practice(world.users.staff_a, practice, title="更新后的标题")
    services.do_submit_practice(world.users.staff_a, practice)
    kinds = list(PracticeLog.objects.filter(practice=practice).values_list("kind", "from_state", "to_state"))
    assert kinds == [
        ("created", "", "draft"),
        ("submitted", "draft", "submitted"),
        ("published", "submitted", "published"),
        ("unpublished", "published", "unpublished"),
        ("updated", "", ""),
        ("submitted", "unpublished", "submitted"),
    ]


def test_return_with_a_reason_then_resubmit(world, write):
    practice = write()
    services.do_submit_practice(world.users.staff_a, practice)
    with pytest.raises(ValidationError) as info:
        services.do_return_practice(world.users.city_admin, practice, "  ")
    assert "reason" in info.value.message_dict
    services.do_return_practice(world.users.city_admin, practice, "请补充成效数据")
    practice.refresh_from_db()
    assert practice.status == "returned" and practice.return_reason == "请补充成效数据"
    services.do_update_practice(world.users.staff_a, practice, body="补充了数据。\n\n服务企业120家。")
    services.do_submit_practice(world.users.staff_a, practice)
    practice.refresh_from_db()
    assert practice.status == "submitted" and len(practice.paragraphs()) == 2


def test_the_author_cannot_approve_their_own(world, write):
    practice = write(world.users.county_admin_a, agency=None)
    services.do_submit_practice(world.users.county_admin_a, practice)
    with pytest.raises(ValidationError) as info:
        services.do_approve_practice(world.users.county_admin_a, practice)
    assert "another administrator" in info.value.message_dict["reviewer"][0]
    practice.refresh_from_db()
    assert practice.status == "submitted"
    services.do_approve_practice(world.users.city_admin, practice)


def test_a_draft_cannot_be_approved(world, write):
    practice = write()
    with pytest.raises(PermissionDenied):
        services.do_approve_practice(world.users.county_admin_a, practice)


def test_files_are_checked_by_content(world, write):
    practice = write(files=[SimpleUploadedFile("photo.png", PNG)])
    stored = PracticeFile.objects.get()
    assert stored.content_type == "image/png" and stored.is_image and stored.path.endswith(".png")
    with pytest.raises(ValidationError) as info:
        services.do_update_practice(
            world.users.staff_a, practice, files=[SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")]
        )
    assert "report.pdf" in info.value.message_dict["files"][0]
    assert PracticeFile.objects.count() == 1


def test_only_the_author_edits(world, write):
    practice = write()
    for role in ("agency_admin_a", "county_admin_a", "city_admin"):
        with pytest.raises(PermissionDenied):
            services.do_update_practice(getattr(world.users, role), practice, title="别人改")
    practice.refresh_from_db()
    assert practice.title == fields(world)["title"]
