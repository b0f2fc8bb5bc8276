import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhichan.ipdata.models import Trademark
from zhichan.screening import services
from zhichan.screening.services import goods_groups, parse_query, rebuild_index, screen


def errors(**kwargs):
    with pytest.raises(ValidationError) as caught:
        parse_query(**kwargs)
    return caught.value.message_dict


def test_screen_ranks_similar_live_marks_with_reasons(register):
    result = screen("康帅傅", groups=["3001"])
    names = [hit.trademark.registration_number for hit in result.hits]
    assert names[0] == "9000001"  # 康师傅 in the same group
    top = result.hits[0]
    assert top.same_group
    assert {"char_changed", "glyph"} <= {code for code, _ in top.reasons}
    assert top.risk == "high"
    assert result.risk == "high"
    assert "康师傅" in result.explanation
    assert "9000006" not in names  # class 29 was not asked for


def test_same_class_other_group_lowers_the_risk(register):
    same = screen("康帅傅", groups=["3001"]).hits[0]
    other = screen("康帅傅", groups=["3004"]).hits[0]
    assert other.relation == "same_class"
    assert other.weighted < same.weighted


def test_class_asked_as_a_whole(register):
    result = screen("康师傅", classes="29, 30")
    numbers = {hit.trademark.registration_number for hit in result.hits}
    assert {"9000001", "9000006"} <= numbers
    assert all(hit.relation == "class_asked" for hit in result.hits)
    assert result.hits[0].reasons[0][0] == "identical"


def test_goods_names_map_to_groups(register):
    assert "3009" in goods_groups("方便面")
    result = screen("康帅傅", goods="方便面")
    assert "3009" in result.query.groups
    assert result.hits[0].relation == "same_class"  # 康师傅 is registered for 3001 and 3002


def test_lapsed_marks_bar_only_within_a_year(register, settings):
    assert not any(hit.trademark.name == "大白兔" for hit in screen("大白兔", classes=[30]).hits)
    Trademark.objects.filter(name="大白兔").update(
        expiry_date=timezone.localdate() - datetime.timedelta(days=100)
    )
    rebuild_index()
    hits = screen("大白兔", classes=[30]).hits
    assert hits[0].trademark.name == "大白兔"


def test_no_similar_mark_is_low_risk(register):
    result = screen("星辰大海", classes=[30])
    assert result.hits == []
    assert result.risk == "low"
    assert result.explanation


def test_index_is_built_on_first_use_and_after_a_rebuild(register, settings):
    assert not (settings.ZHICHAN_SCREENING_DIR / "meta.json").exists()
    screen("雪碧", classes=[32])
    assert (settings.ZHICHAN_SCREENING_DIR / "meta.json").exists()
    Trademark.objects.create(registration_number="9000010", name="雷碧", nice_class=32, status="pending")
    assert rebuild_index() == 9  # 9 live of 10
    assert [hit.trademark.name for hit in screen("雪碧", classes=[32]).hits] == ["雪碧", "雷碧"]


def test_a_record_removed_after_indexing_is_skipped(register):
    screen("雪碧", classes=[32])
    Trademark.objects.filter(name="雪碧").delete()
    assert screen("雪碧", classes=[32]).hits == []


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"mark": "", "classes": [30]}, "mark", "Enter the proposed mark"),
        ({"mark": "   ", "classes": [30]}, "mark", "Enter the proposed mark"),
        ({"mark": "长" * 51, "classes": [30]}, "mark", "too long"),
        ({"mark": "★☆！", "classes": [30]}, "mark", "no Chinese characters, letters or digits"),
        ({"mark": "康师傅", "classes": ["46"]}, "classes", "Unknown Nice class 46"),
        ({"mark": "康师傅", "classes": "abc"}, "classes", "Unknown Nice class abc"),
        ({"mark": "康师傅", "groups": ["9999"]}, "groups", "Unknown similar group 9999"),
        ({"mark": "康师傅", "goods": "嗯哦啊呃"}, "goods", "嗯哦啊呃"),
        ({"mark": "康师傅"}, "classes", "at least one class"),
    ],
)
def test_bad_input_names_the_field(english, kwargs, field, words):
    found = errors(**kwargs)
    assert field in found
    assert words in " ".join(found[field])


def test_parse_accepts_class_words_and_merges_groups():
    query = parse_query("康师傅", classes="第30类 30", groups="3001,3001 3002")
    assert query.classes == [30]
    assert query.groups == ["3001", "3002"]
    assert query.whole_classes == set()  # 30 is covered by the groups asked for


def test_group_table_is_the_shipped_one():
    table = services.group_table()
    assert table["3001"][0] == 30
    assert len(table) > 400
