"""The hotline console: answered on the spot, case opened, unanswered; the could-not-answer list."""

import pytest
from django.core.exceptions import ValidationError

from zhichan.core.permissions import PermissionDenied
from zhichan.knowledge import console
from zhichan.knowledge.models import Article, HotlineQuestion, Outcome, QAItem

pytestmark = pytest.mark.django_db


def test_answer_on_the_spot_records_the_reference(laws, world):
    article = Article.objects.get(law__short_name="商标法", ordinal=34)
    row = console.record_answer(world.users.staff_a, "商标被驳回怎么办", "article", article.pk)
    row.refresh_from_db()
    assert (row.outcome, row.answered, row.article, row.agent, row.agency) == (
        Outcome.ANSWERED_ON_SPOT,
        True,
        article,
        world.users.staff_a,
        world.centre_a,
    )
    assert row.answer_ref == article
    assert row.signature == "商标 驳回"


def test_answer_with_a_guide(world):
    row = console.record_answer(world.users.staff_b, "商标怎么注册", "guide", world.item.pk)
    assert row.guide == world.item


def test_answer_with_something_missing_or_hidden_is_refused(world):
    staff = world.users.staff_a
    with pytest.raises(ValidationError) as exc:
        console.record_answer(staff, "问题", "article", 999999)
    assert "ref_id" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a draft guide is nobody's answer
        console.record_answer(staff, "问题", "guide", world.draft_a.pk)
    with pytest.raises(ValidationError) as exc:
        console.record_answer(staff, "问题", "law", 1)
    assert "ref_kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        console.record_answer(staff, "   ", "guide", world.item.pk)
    assert exc.value.message_dict["text"] == ["Type or paste the caller's question."]
    with pytest.raises(ValidationError):
        console.open_case(staff, "长" * 2001)
    assert not HotlineQuestion.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "public", "enterprise"])
def test_only_staff_use_the_console(world, role):
    user = getattr(world.users, role)
    for call in (
        lambda: console.record_answer(user, "问题", "guide", world.item.pk),
        lambda: console.open_case(user, "问题"),
        lambda: console.record_unanswered(user, "问题"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not HotlineQuestion.objects.exists()


@pytest.mark.parametrize("role", ["staff_a", "agency_admin_b", "county_admin_a", "city_admin"])
def test_every_staff_role_may_record(world, role):
    row = console.open_case(getattr(world.users, role), "展会侵权投诉")
    assert row.outcome == Outcome.CASE_OPENED and not row.answered and row.case_id is None


def test_a_repeated_token_records_once(world):
    staff = world.users.staff_a
    first = console.open_case(staff, "同一个问题", token="t-1")
    second = console.open_case(staff, "同一个问题", token="t-1")
    third = console.record_answer(staff, "同一个问题", "guide", world.item.pk, token="t-1")
    assert first.pk == second.pk == third.pk
    assert HotlineQuestion.objects.count() == 1
    console.open_case(staff, "同一个问题", token="t-2")
    assert HotlineQuestion.objects.count() == 2


def test_unanswered_list_groups_similar_questions_newest_first(world):
    staff = world.users.staff_a
    console.record_unanswered(staff, "地理标志怎么申请？")
    console.open_case(staff, "请问地理标志怎么申请")
    console.open_case(staff, "数据知识产权登记在哪里办")
    console.record_answer(staff, "商标怎么注册", "guide", world.item.pk)  # answered: not listed
    rows = console.unanswered_list(world.users.city_admin)
    assert [(q.text, n) for q, n in rows] == [("数据知识产权登记在哪里办", 1), ("请问地理标志怎么申请", 2)]


def test_unanswered_list_follows_access(world):
    console.record_unanswered(world.users.staff_a, "甲区的问题")
    console.record_unanswered(world.users.staff_b, "乙县的问题")
    texts = lambda user: {q.text for q, _n in console.unanswered_list(user)}  # noqa: E731
    assert texts(world.users.staff_a) == {"甲区的问题"}
    assert texts(world.users.county_admin_b) == {"乙县的问题"}
    assert texts(world.users.city_admin) == {"甲区的问题", "乙县的问题"}
    assert texts(world.users.public) == set()


# --- the pages ------------------------------------------------------------------------------


def test_console_page_is_for_staff_only(client, world):
    assert client.get("/hotline/").status_code == 302  # to the login page
    client.force_login(world.users.public)
    assert client.get("/hotline/").status_code == 404
    assert client.get("/hotline/results/?text=商标").status_code == 404
    client.force_login(world.users.staff_a)
    page = client.get("/hotline/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-get="/hotline/results/"' in html and "delay:300ms" in html
    assert 'data-testid="console-question"' in html


def test_results_partial_shows_hits_with_answer_buttons(client, laws, world):
    client.force_login(world.users.staff_a)
    html = client.get("/hotline/results/", {"text": "商标注册申请被驳回"}).content.decode()
    article = Article.objects.get(law__short_name="商标法", ordinal=34)
    assert f'value="article:{article.pk}"' in html
    assert "<mark>驳回</mark>" in html
    assert "No answer found" in client.get("/hotline/results/", {"text": "量子纠缠"}).content.decode()


def test_answer_button_records_and_returns_to_the_console(client, laws, world):
    client.force_login(world.users.staff_a)
    article = Article.objects.get(law__short_name="商标法", ordinal=34)
    data = {"text": "商标被驳回怎么办", "token": "abc", "answer": f"article:{article.pk}"}
    response = client.post("/hotline/record/", data)
    assert response.status_code == 302 and response["Location"] == "/hotline/"
    client.post("/hotline/record/", data)  # the same form again
    row = HotlineQuestion.objects.get()
    assert row.article == article and row.outcome == Outcome.ANSWERED_ON_SPOT


def test_open_case_button_and_errors(client, world):
    client.force_login(world.users.staff_b)
    response = client.post("/hotline/record/", {"text": "我的专利被人仿冒", "token": "t9", "action": "case"})
    assert response.status_code == 302
    assert HotlineQuestion.objects.get().outcome == Outcome.CASE_OPENED
    bad = client.post("/hotline/record/", {"text": "", "token": "t10", "action": "case"})
    assert bad.status_code == 422 and "Type or paste the caller" in bad.content.decode()
    bad = client.post("/hotline/record/", {"text": "x", "token": "t11", "answer": "article:notanumber"})
    assert bad.status_code == 422 and "No such answer" in bad.content.decode()
    assert HotlineQuestion.objects.count() == 1
    assert client.get("/hotline/record/").status_code == 405


def test_unanswered_page(client, world):
    console.record_unanswered(world.users.staff_a, "地理标志怎么申请？")
    console.record_unanswered(world.users.staff_a, "地理标志怎么申请")
    client.force_login(world.users.public)
    assert client.get("/knowledge/manage/unanswered/").status_code == 404
    client.force_login(world.users.county_admin_a)
    html = client.get("/knowledge/manage/unanswered/").content.decode()
    assert 'data-count="2"' in html and "Write an answer" in html
    client.force_login(world.users.staff_a)
    html = client.get("/knowledge/manage/unanswered/").content.decode()
    assert 'data-count="2"' in html and "Write an answer" not in html
    assert not QAItem.objects.exists()


def test_an_answer_on_the_spot_files_one_consultation_closed_at_first_contact(world):
    from zhichan.cases.models import Case

    first = console.record_answer(world.users.staff_a, "商标怎么注册", "guide", world.item.pk, token="tok-9")
    again = console.record_answer(world.users.staff_a, "商标怎么注册", "guide", world.item.pk, token="tok-9")
    assert first.pk == again.pk and first.case_id == again.case_id
    case = Case.objects.get()
    assert case.pk == first.case_id
    assert (case.channel, case.type, case.status) == ("hotline", "consultation", "closed")
    assert case.first_contact and case.description == "商标怎么注册"


def test_opening_a_case_hands_the_question_to_the_request_form():
    url = console.case_form_url("数据知识产权 怎么登记")
    assert url.startswith("/requests/new/?") and "channel=hotline" in url and "type=consultation" in url


def test_a_filed_request_is_linked_only_to_the_agents_own_waiting_call(world):
    from zhichan.cases.services import do_intake

    question = console.open_case(world.users.staff_a, "数据知识产权怎么登记", token="tok-10")
    case = do_intake(
        world.users.staff_a,
        "hotline",
        type="consultation",
        subject="数据知识产权登记",
        description="数据知识产权怎么登记",
        requester_name="钱七",
    )
    assert not console.link_case(world.users.staff_b, question.pk, case)  # another agent's call
    assert console.link_case(world.users.staff_a, question.pk, case)
    assert not console.link_case(world.users.staff_a, question.pk, case)  # linked once
    question.refresh_from_db()
    assert question.case_id == case.pk
    assert f"hotline_question={question.pk}" in console.case_form_url(question.text, question)
