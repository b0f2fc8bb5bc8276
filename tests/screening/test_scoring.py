"""One test per similarity reason, and the scores' order."""

import pytest

from zhichan.screening.features import features, normalize
from zhichan.screening.scoring import score


def reasons(a, b):
    return score(a, b).codes


def test_identical_ignores_case_spacing_and_symbols():
    match = score("Apple Tree", "APPLE-TREE")
    assert match.codes == ["identical"]
    assert match.score == 1.0


def test_differs_only_by_a_non_distinctive_affix():
    assert reasons("康师傅牌", "康师傅") == ["affix"]
    assert reasons("稻香村食品集团", "稻香村") == ["affix"]
    assert score("康师傅牌", "康师傅").score == pytest.approx(0.9)


def test_affix_is_kept_when_too_little_would_remain():
    assert features("金牌").han == "金牌"


def test_same_characters_in_another_order():
    assert "reordered" in reasons("金龙鱼", "金鱼龙")
    assert "latin_reordered" in reasons("IBM", "BMI")


def test_one_character_changed_of_three_or_more():
    match = score("老干妈", "老干爹")
    assert match.codes[0] == "char_changed"
    assert match.reasons[0][1] == "妈 → 爹"


def test_one_character_changed_of_two_is_not_that_reason():
    assert "char_changed" not in reasons("小米", "大米")


def test_same_pronunciation_other_characters():
    assert reasons("茅台", "矛台") == ["pronunciation"]


def test_similar_pronunciation_by_fuzzy_pinyin():
    # zhi/zi: the initials many speakers do not tell apart
    assert "similar_pronunciation" in reasons("知音", "资音")


def test_pinyin_of_a_chinese_mark_spells_a_latin_mark():
    assert reasons("康师傅", "KANGSHIFU") == ["pinyin_latin"]
    assert reasons("Kang Shi Fu", "康师傅") == ["pinyin_latin"]


def test_similar_glyph():
    assert reasons("雪碧", "雷碧") == ["glyph"]
    assert "glyph" in reasons("奥利奥", "粤利粤")


def test_same_meaning_synonym_and_translation():
    assert reasons("苹果", "APPLE") == ["meaning"]
    assert reasons("红牛", "赤牛") == ["meaning"]


def test_contains_the_whole_prior_mark():
    match = score("华为星光", "华为")
    assert match.codes == ["contains"]
    assert match.reasons[0][1] == "华为"
    # the larger the share of the longer mark, the higher the score
    assert score("华为星", "华为").score > match.score


def test_latin_one_letter_changed_added_or_removed():
    assert reasons("NIKE", "MIKE") == ["latin_one_letter"]
    assert "latin_one_letter" in reasons("NIKE", "NIKES")
    assert "latin_one_letter" in reasons("ADIDAS", "ADIAS")


def test_latin_one_letter_needs_four_letters():
    assert reasons("ABC", "ABD") == []


def test_latin_contains():
    assert reasons("SONYPLUS", "SONY") == ["contains"]


def test_shares_a_distinctive_part():
    match = score("阿里巴巴", "阿里妈妈")
    assert match.codes == ["shared_part"]
    assert match.reasons[0][1] == "阿里"


def test_unrelated_marks_score_zero():
    match = score("冠生园", "大白兔")
    assert match.score == 0
    assert match.reasons == []


def test_several_reasons_score_more_than_one():
    single = score("雪碧", "雷碧").score
    several = score("大白兔", "大白免")
    assert set(several.codes) >= {"char_changed", "glyph"}
    assert several.score > single
    assert several.score <= 1.0


def test_mixed_mark_contains_its_chinese_part():
    assert reasons("苹果APPLE", "苹果") == ["contains"]


def test_symbols_only_normalise_to_nothing():
    assert normalize("★☆!!") == ""
    assert score("★☆", "★☆").score == 0


def test_one_character_added_or_removed_of_three_or_more():
    match = score("六个土核桃", "六个核桃")
    assert match.codes[0] == "char_changed"
    assert score("六个核桃", "六个土核桃").reasons[0][1] == "+土"
    assert "char_changed" not in reasons("小米", "小米粒")  # the shorter has two characters


def test_sounds_alike_but_for_one_syllable():
    match = score("奥莉花", "奥利奥")  # 利/莉 homophones, 奥 → 花
    assert "pronunciation_changed" in match.codes
    assert dict(match.reasons)["pronunciation_changed"] == "ao li hua / ao li ao"
    assert "pronunciation_changed" in reasons("百氏兴可乐", "百事可乐")  # a syllable added
    assert "pronunciation_changed" not in reasons("雪花", "雪梨")  # two syllables say too little
    # a character change already says it: not counted twice
    assert "pronunciation_changed" not in reasons("老干爹", "老干妈")


def test_the_other_marks_characters_in_order_with_some_put_between():
    match = score("六个石磨核桃", "六个核桃")
    assert match.codes[0] == "interleaved"
    assert dict(match.reasons)["interleaved"] == "六个核桃"
    assert 0.6 < match.score < 0.7  # scaled by 4 of 6 characters
    assert "interleaved" not in reasons("六个石磨大核桃", "六个核桃")  # three put between
    assert "interleaved" not in reasons("核桃六个", "六个核桃")  # not in order
    assert "interleaved" not in reasons("大石白兔", "大白兔")  # one put between is a character added
