"""Highlighted snippets, the same for every backend.

A needle is a run of character tokens (text.char_tokens); it is marked wherever those tokens
occur contiguously in the text, which is exactly where a substring query matches (a word
match is always also such a run). The text is HTML-escaped; marks are <mark>…</mark>.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from zhichan.ipdata.search import text as ztext

ELLIPSIS = "…"


def _tokens_with_offsets(value: str) -> list[tuple[str, int, int]]:
    """(token, start, end) with offsets into the original string; tokens as char_tokens gives them."""
    han = ztext._HAN_CHAR.match
    # Full-width forms map one to one, and so does lower case almost always: then offsets carry over.
    norm = ztext._FULL_WIDTH.sub(ztext._half_width, value).lower()
    if len(norm) == len(value) and (norm.isascii() or unicodedata.is_normalized("NFKC", norm)):
        return [
            (t if len(t) == 1 and han(t) else t + "_", m.start(), m.end())
            for m in ztext._TOKEN.finditer(norm)
            for t in (m.group(),)
        ]
    # Otherwise (ligatures, compatibility characters) map character by character.
    pieces, origin = [], []
    for i, ch in enumerate(value):
        n = ztext.normalize(ch)
        pieces.append(n)
        origin.extend([i] * len(n))
    norm = "".join(pieces)
    origin.append(len(value))
    out = []
    for m in ztext._TOKEN.finditer(norm):
        start = origin[m.start()]
        end = origin[m.end() - 1] + 1
        out.append((ztext.mark(m.group()), start, end))
    return out


def _token_pattern(token: str) -> str:
    if not token.endswith("_"):
        return re.escape(token)
    # A Latin/digit run matches only whole: no word character (other than Han) on either side.
    word = f"[^\\W_{ztext.HAN}]"
    return f"(?<!{word}){re.escape(token[:-1])}(?!{word})"


@lru_cache(maxsize=256)
def _needle_regex(needles: tuple[tuple[str, ...], ...]) -> re.Pattern:
    # Between two tokens only what is not a token: punctuation, spaces (as the backends ignore them).
    alternatives = ["[\\W_]*".join(_token_pattern(t) for t in needle) for needle in needles if needle]
    # Longer needles first, so that where two start together the longer one is marked.
    alternatives.sort(key=len, reverse=True)
    # A lookahead finds matches that overlap (锂离子 and 离子电池 in 锂离子电池).
    return re.compile("(?=(" + "|".join(alternatives) + "))")


def find_spans(value: str, needles: list[list[str]]) -> list[tuple[int, int]]:
    """Merged (start, end) spans of the original string where any needle occurs."""
    if not value or not needles:
        return []
    norm = ztext._FULL_WIDTH.sub(ztext._half_width, value).lower()
    if len(norm) == len(value) and (norm.isascii() or unicodedata.is_normalized("NFKC", norm)):
        # Offsets carry over one to one: let the regex engine find the needles.
        regex = _needle_regex(tuple(tuple(n) for n in needles))
        return _merge([m.span(1) for m in regex.finditer(norm)])
    tokens = _tokens_with_offsets(value)
    words = [t[0] for t in tokens]
    spans = []
    for needle in needles:
        k = len(needle)
        if not k:
            continue
        first = needle[0]
        for i, word in enumerate(words):
            if word == first and words[i : i + k] == needle:
                spans.append((tokens[i][1], tokens[i + k - 1][2]))
    return _merge(sorted(spans))


def _merge(spans):
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(value: str, needles: list[list[str]], *, max_chars: int | None = None) -> SafeString:
    """`value` escaped with its matches marked; cut to about `max_chars` around the first match."""
    value = value or ""
    spans = find_spans(value, needles)
    start, end = 0, len(value)
    if max_chars and len(value) > max_chars:
        if spans:
            first = spans[0][0]
            start = max(0, min(first - max_chars // 4, len(value) - max_chars))
        end = min(len(value), start + max_chars)
    out = [ELLIPSIS if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(value[cursor:s]))
        out.append("<mark>" + escape(value[s:e]) + "</mark>")
        cursor = e
    out.append(escape(value[cursor:end]))
    if end < len(value):
        out.append(ELLIPSIS)
    return mark_safe("".join(out))  # noqa: S308 - every piece of the text is escaped above  # nosec B308, B703  # every piece is escape()d or the constant ellipsis


# Which stored field each text field code highlights.
HIGHLIGHT_FIELDS = {
    "TX": ("title", "abstract"),
    "TI": ("title",),
    "AB": ("abstract",),
    "CL": (),
    "PA": ("applicants",),
    "IN": ("inventors",),
    "ADDR": ("address",),
    "AG": ("agency",),
}
SNIPPET_CHARS = {"abstract": 160}


def needles_by_field(query) -> dict[str, list[list[str]]]:
    """The token runs to mark in each stored field, from the query's positive text terms."""
    out: dict[str, list[list[str]]] = {}
    for node in query.positive_texts():
        tokens = ztext.char_tokens(node.text)
        if not tokens:
            continue
        for name in HIGHLIGHT_FIELDS[node.field]:
            out.setdefault(name, []).append(tokens)
    return out


def highlights(stored: dict, needles: dict[str, list[list[str]]]) -> dict[str, SafeString]:
    """Title and abstract always (marked where matched); other stored fields when matched."""
    out = {}
    for name in ("title", "abstract", "applicants", "inventors", "address", "agency"):
        value = stored.get(name)
        field_needles = needles.get(name, [])
        if not value or (name not in ("title", "abstract") and not field_needles):
            continue
        if isinstance(value, list):
            # Each value on its own: a match never runs from one applicant into the next.
            out[name] = format_html_join("; ", "{}", ((snippet(v, field_needles),) for v in value))
        else:
            out[name] = snippet(value, field_needles, max_chars=SNIPPET_CHARS.get(name))
    return out
