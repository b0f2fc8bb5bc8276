"""How Chinese (and Latin) text is cut into what the search backends index and match.

Both backends and the highlighter use these functions, so a query matches the same records and
marks the same places whichever backend serves it.

* Normalisation: NFKC (full-width letters and digits become ASCII) and lower case.
* Character tokens: one token per Han character, one per run of other letters and digits
  ("LED灯" -> led, 灯). Punctuation and spaces are not tokens, so a substring search for
  离子电 matches 锂离子电池 and also 锂离子·电池.
* Character bigrams: neighbouring character tokens joined. A substring of n >= 2 tokens is
  found as a phrase of bigrams, which is far more selective than single characters (一种 is one
  bigram term, not two of the commonest characters).
* Word tokens: rjieba's segmentation, for word matching (TI~=电池).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import lru_cache

# Han ideographs (BMP blocks, compatibility block, supplementary planes).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_LATIN = re.compile(rf"[^\W_{HAN}]+")
# A Latin/digit run carries a trailing "_" as a token, so that a token's kind shows in the token
# itself and bigrams are plain concatenations: (ab_, c_) -> ab_c_ differs from (a_, bc_) -> a_bc_.
_MARKED_TOKEN = re.compile(rf"[{HAN}]|[^\W_{HAN}]+_")
_TOKEN = re.compile(rf"[{HAN}]|[^\W_{HAN}]+")
_WORDISH = re.compile(r"[^\W_]")
# Between the values of a multi-valued field (applicants, inventors): never part of a match.
GAP = "|"


_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


def _half_width(match) -> str:
    return chr(ord(match.group()) - 0xFEE0)


def normalize(text: str) -> str:
    """NFKC and lower case. Full-width ASCII (，（Ａ１) is the usual reason text is not already
    NFKC; mapping it first is cheaper than a full normalisation."""
    text = text or ""
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = _FULL_WIDTH.sub(_half_width, text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return text.lower()


def char_tokens(text: str, *, normalized: bool = False) -> list[str]:
    """Character tokens of `text`: a Han character, or a Latin/digit run followed by "_"."""
    return _MARKED_TOKEN.findall(_LATIN.sub(r"\g<0>_", text if normalized else normalize(text)))


def mark(token: str) -> str:
    """The char_tokens form of an unmarked token (as _TOKEN finds it)."""
    return token if _HAN_CHAR.match(token) and len(token) == 1 else token + "_"


_HAN_CHAR = re.compile(rf"[{HAN}]")


def is_han(token: str) -> bool:
    return not token.endswith("_")


def bigrams(tokens: list[str]) -> list[str]:
    return list(map(operator.add, tokens, tokens[1:]))


def bigram_plan(tokens: list[str]) -> list[tuple[int, str]]:
    """The fewest bigrams, with their offsets, that pin down a run of n >= 2 tokens.

    Every token must be covered: bigrams at offsets 0, 2, 4, ... and the last pair.
    """
    pairs = bigrams(tokens)
    offsets = list(range(0, len(pairs), 2))
    if offsets[-1] != len(pairs) - 1:
        offsets.append(len(pairs) - 1)
    return [(i, pairs[i]) for i in offsets]


@lru_cache(maxsize=1)
def _rjieba():
    import rjieba

    return rjieba


def word_tokens(text: str, *, normalized: bool = False) -> list[str]:
    """Words as the segmenter cuts them, normalised; punctuation and spaces dropped."""
    norm = text if normalized else normalize(text)
    if not norm:
        return []
    # isalnum() settles almost every word at C speed; the regex only sees the rest (3.5, a-b, "，").
    return [w for w in _rjieba().cut(norm) if w.isalnum() or _WORDISH.search(w)]


def substring_text(values) -> str:
    """The form the PostgreSQL backend matches with LIKE (and the trigram index serves).

    Tokens of one value are joined without a space when both are Han characters, with one
    space otherwise; each value is wrapped in spaces; values are separated by GAP. So a pattern
    built by `substring_pattern` from a query's tokens matches exactly where the tokens occur
    contiguously, and a Latin run only as a whole word.
    """
    if isinstance(values, str):
        values = [values]
    parts = []
    for value in values:
        tokens = char_tokens(value)
        if tokens:
            parts.append(" " + _join_tokens(tokens) + " ")
    return GAP.join(parts)


def _join_tokens(tokens: list[str]) -> str:
    out = [_plain(tokens[0])]
    for a, b in zip(tokens, tokens[1:], strict=False):
        out.append(b if (is_han(a) and is_han(b)) else " " + _plain(b))
    return "".join(out)


def _plain(token: str) -> str:
    return token[:-1] if token.endswith("_") else token


def substring_pattern(tokens: list[str]) -> str:
    """The LIKE pattern (without the surrounding %) for a run of query tokens."""
    body = _join_tokens(tokens)
    if not is_han(tokens[0]):
        body = " " + body
    if not is_han(tokens[-1]):
        body = body + " "
    return body
