"""How text is cut for the index, and how matches are marked."""

import pytest

from zhichan.ipdata.search import highlight as H
from zhichan.ipdata.search import text as T
from zhichan.ipdata.search.query import parse


def test_normalisation_folds_width_and_case():
    assert T.normalize("ＬＥＤ灯，（Ａ１）") == "led灯,(a1)"
    assert T.normalize("㈱Ⅻ") == "(株)xii"  # compatibility characters need the full NFKC
    assert T.normalize("") == ""


def test_character_tokens():
    assert T.char_tokens("一种LED灯") == ["一", "种", "led_", "灯"]
    assert T.char_tokens("锂离子·电池，3.5V") == ["锂", "离", "子", "电", "池", "3_", "5v_"]
    assert T.char_tokens("a_b") == ["a_", "b_"]


def test_bigrams_tell_latin_runs_apart():
    assert T.bigrams(T.char_tokens("锂离子")) == ["锂离", "离子"]
    assert T.bigrams(T.char_tokens("ab c")) != T.bigrams(T.char_tokens("a bc"))
    assert T.bigrams(T.char_tokens("LED灯")) == ["led_灯"]


@pytest.mark.parametrize(
    ("length", "offsets"),
    [(2, [0]), (3, [0, 1]), (4, [0, 2]), (5, [0, 2, 3]), (6, [0, 2, 4]), (7, [0, 2, 4, 5])],
)
def test_the_bigram_plan_covers_every_token(length, offsets):
    tokens = T.char_tokens("锂离子电池组件"[:length])
    plan = T.bigram_plan(tokens)
    assert [offset for offset, _ in plan] == offsets
    covered = {i for offset, _ in plan for i in (offset, offset + 1)}
    assert covered == set(range(length))


def test_word_tokens_drop_punctuation():
    assert T.word_tokens("一种锂离子电池，包括隔膜。") == ["一种", "锂离子", "电池", "包括", "隔膜"]
    assert T.word_tokens("") == []


def test_substring_text_and_patterns_agree():
    text = T.substring_text(["一种LED灯", "Lithium battery"])
    assert text == " 一种 led 灯 | lithium battery "
    assert T.substring_pattern(T.char_tokens("种LED")) in text
    assert T.substring_pattern(T.char_tokens("led灯")) in text
    assert T.substring_pattern(T.char_tokens("le")) not in text  # whole Latin words only
    assert T.substring_pattern(T.char_tokens("灯 lithium")) not in text  # never across two values


# --- highlights -----------------------------------------------------------------------------------


def needles(*terms):
    return [T.char_tokens(t) for t in terms]


def test_marks_substrings_and_escapes():
    assert H.snippet("<b>锂离子电池</b>", needles("离子电")) == "&lt;b&gt;锂<mark>离子电</mark>池&lt;/b&gt;"


def test_marks_across_punctuation_as_the_backends_match():
    assert H.snippet("锂离子·电池", needles("离子电池")) == "锂<mark>离子·电池</mark>"


def test_latin_runs_are_marked_whole_and_width_does_not_matter():
    assert H.snippet("ＬＥＤ灯与LEDs", needles("led")) == "<mark>ＬＥＤ</mark>灯与LEDs"
    assert H.snippet("ledger led", needles("led")) == "ledger <mark>led</mark>"


def test_overlapping_matches_merge():
    assert H.snippet("锂离子电池", needles("锂离子", "离子电池")) == "<mark>锂离子电池</mark>"


def test_text_that_normalisation_stretches_is_marked_at_the_right_place():
    # ㈱ becomes four characters "(株)": offsets are mapped back one character at a time.
    assert H.snippet("㈱锂电池", needles("电池")) == "㈱锂<mark>电池</mark>"


def test_long_text_is_cut_around_the_first_match():
    value = "甲" * 200 + "电池" + "乙" * 200
    out = H.snippet(value, needles("电池"), max_chars=40)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>电池</mark>" in out
    assert len(out.replace("<mark>", "").replace("</mark>", "")) == 42  # 40 characters and two ellipses


def test_highlights_per_field_from_the_query():
    stored = {
        "title": "燃料电池",
        "abstract": "一种电池。",
        "applicants": ["电池公司", "清华大学"],
        "inventors": ["张三"],
    }
    marks = H.highlights(stored, H.needles_by_field(parse("TI=燃料 OR PA=电池 NOT IN=张三")))
    assert marks == {
        "title": "<mark>燃料</mark>电池",
        "abstract": "一种电池。",
        "applicants": "<mark>电池</mark>公司; 清华大学",
    }
