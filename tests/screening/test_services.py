import datetime
import shutil

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
    assert not (settings.ZHICHAN_SCREENING_DIR / "base" / "meta.json").exists()
    screen("雪碧", classes=[32])
    assert (settings.ZHICHAN_SCREENING_DIR / "base" / "meta.json").exists()
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


def test_a_trademark_import_updates_the_index(register, settings):
    from zhichan.ipdata import services as ipdata_services
    from zhichan.ipdata.models import ImportJob, ImportKind
    from zhichan.screening.index import open_segments

    ipdata_services._update_search_index(ImportJob(kind=ImportKind.TRADEMARK_TABLE))
    assert open_segments(settings.ZHICHAN_SCREENING_DIR).rows == 8
    Trademark.objects.create(registration_number="9000011", name="雪碧牌", nice_class=32, status="registered")
    ipdata_services._update_search_index(ImportJob(kind=ImportKind.TRADEMARK_TABLE))
    index = open_segments(settings.ZHICHAN_SCREENING_DIR)
    assert (index.base.rows, index.delta.rows) == (8, 1)  # only the new mark was written
    patents = ImportJob.objects.create(
        kind=ImportKind.PATENT_TABLE, file="imports/p.csv", original_name="p.csv"
    )
    ipdata_services._update_search_index(patents)  # patents: the screening index is unchanged
    assert open_segments(settings.ZHICHAN_SCREENING_DIR).rows == 9


def numbers_of(result):
    return [hit.trademark.registration_number for hit in result.hits]


def test_a_changed_mark_is_found_by_its_new_name_only(register, settings):
    rebuild_index()
    mark = register["9000002"]
    mark.name = "雪碧特饮"
    mark.save()
    services.update_index()
    index = services.get_index()
    assert index.delta.rows == 1 and list(index.delta.masked) == [mark.pk]
    assert "9000002" in numbers_of(screen("雪碧特饮", classes=[32]))
    # The base still holds 雪碧, masked: the one hit is the mark under its new name.
    hits = screen("雪碧", classes=[32]).hits
    assert [(h.trademark.registration_number, h.trademark.name) for h in hits] == [("9000002", "雪碧特饮")]
    assert index.rows_of_classes([32]).tolist() == [index.base.rows]  # the delta's row only


def test_a_mark_that_lapses_leaves_the_results(register, settings):
    rebuild_index()
    Trademark.objects.filter(pk=register["9000008"].pk).update(status="invalid", updated_at=timezone.now())
    services.update_index()
    index = services.get_index()
    assert index.delta.rows == 0 and list(index.delta.masked) == [register["9000008"].pk]
    assert "9000008" not in numbers_of(screen("稻香村", classes=[30]))


def test_a_large_change_rebuilds_the_base(register, settings):
    settings.ZHICHAN_SCREENING_DELTA_SHARE = 0.2  # of 8 marks: more than 1.6 changed
    rebuild_index()
    before = services.get_index().base.meta["built_at"]
    for number in range(2):
        Trademark.objects.create(registration_number=f"800000{number}", name=f"新牌{number}", nice_class=3)
    services.update_index()
    index = services.get_index()
    assert index.delta is None and index.base.meta["built_at"] > before
    assert index.rows == 8 + 2


def test_a_delta_of_an_earlier_base_is_ignored(register, settings, tmp_path):
    rebuild_index()
    Trademark.objects.create(registration_number="9000011", name="雪碧牌", nice_class=32, status="registered")
    services.update_index()
    stale = tmp_path / "delta"
    shutil.copytree(settings.ZHICHAN_SCREENING_DIR / "delta", stale)
    rebuild_index()  # a new base, which already has the mark
    shutil.copytree(stale, settings.ZHICHAN_SCREENING_DIR / "delta")  # as if left by a crash
    index = services.get_index()
    assert index.delta is None and index.rows == 9
