"""What a word mark is made of, for comparing it with others.

A mark is normalised (NFKC, Latin letters upper case, spaces and symbols dropped) and split into
its Chinese part and its Latin part (letters and digits). Each part loses its non-distinctive
affixes (牌, 集团, GROUP …, data/affixes.yaml); what remains is the *core*. Pinyin is toneless,
one syllable per character (pypinyin's reading in context). Glyph groups (形近字) and meanings
come from the shipped tables in data/.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from pypinyin import Style, lazy_pinyin

DATA = Path(__file__).resolve().parent / "data"

MAX_LENGTH = 50  # characters of a proposed mark (the register's names are at most 200)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Z0-9]")
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


@functools.cache
def affixes() -> dict:
    with open(DATA / "affixes.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    # Longest first, so 有限公司 goes before 公司.
    for key in ("suffixes", "prefixes", "latin_suffixes", "latin_prefixes"):
        data[key] = sorted(data.get(key) or [], key=len, reverse=True)
    return data


@functools.cache
def glyph_groups() -> dict[str, tuple[int, ...]]:
    """Character -> the numbers of the 形近字 groups it belongs to."""
    groups: dict[str, list[int]] = {}
    number = 0
    for line in (DATA / "glyphs.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        number += 1
        for char in dict.fromkeys(line):
            groups.setdefault(char, []).append(number)
    return {char: tuple(numbers) for char, numbers in groups.items()}


@functools.cache
def meanings() -> tuple[dict[str, str], int]:
    """Word -> concept, and the longest word's length."""
    with open(DATA / "meanings.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    words = {}
    for concept, synonyms in data.items():
        for word in synonyms:
            words[str(word).upper()] = concept
    return words, max(len(word) for word in words)


def fuzzy_syllable(syllable: str) -> str:
    for full, short in _FUZZY_INITIALS:
        if syllable.startswith(full):
            syllable = short + syllable[len(full) :]
            break
    for full, short in _FUZZY_FINALS:
        if syllable.endswith(full):
            return syllable[: -len(full)] + short
    return syllable


def _strip(text: str, prefixes, suffixes, min_core: int) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) - len(suffix) >= min_core:
                text, changed = text[: -len(suffix)], True
                break
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) - len(prefix) >= min_core:
                text, changed = text[len(prefix) :], True
                break
    return text


def _meaning_signature(han: str, latin: str) -> str:
    """The core with each known word replaced by its concept; "" when no word is known."""
    words, longest = meanings()
    out, found, i = [], False, 0
    while i < len(han):
        for size in range(min(longest, len(han) - i), 0, -1):
            concept = words.get(han[i : i + size])
            if concept:
                out.append("{" + concept + "}")
                found, i = True, i + size
                break
        else:
            out.append(han[i])
            i += 1
    if latin:
        concept = words.get(latin)
        out.append("{" + concept + "}" if concept else latin)
        found = found or bool(concept)
    return "".join(out) if found else ""


@dataclass(frozen=True, slots=True)
class Features:
    text: str  # normalised whole mark: Chinese and Latin characters in order
    han: str  # Chinese characters, affixes stripped
    latin: str  # Latin letters and digits, affixes stripped
    pinyin: tuple[str, ...]  # toneless, one per character of `han`
    fuzzy: tuple[str, ...]  # `pinyin` with zh/z, ch/c, sh/s, l/n, -ng/-n merged
    meaning: str  # concept signature, "" when no word of the mark is in the table

    @property
    def core(self) -> str:
        return self.han + self.latin

    @property
    def pinyin_text(self) -> str:
        return "".join(self.pinyin).upper()


def normalize(mark: str) -> str:
    """The mark's Chinese characters, Latin letters and digits, in order, Latin upper case."""
    text = unicodedata.normalize("NFKC", mark or "").upper()
    return "".join(ch for ch in text if _HAN.match(ch) or _LATIN.match(ch))


@functools.lru_cache(maxsize=200_000)
def features(mark: str) -> Features:
    text = normalize(mark)
    han = "".join(ch for ch in text if _HAN.match(ch))
    latin = "".join(ch for ch in text if _LATIN.match(ch))
    table = affixes()
    han = _strip(han, table["prefixes"], table["suffixes"], table["min_core"]) if han else han
    if latin:
        latin = _strip(latin, table["latin_prefixes"], table["latin_suffixes"], table["min_core"])
    pinyin = (
        tuple(lazy_pinyin(han, style=Style.NORMAL, errors=lambda chars: ["?"] * len(chars))) if han else ()
    )
    if len(pinyin) != len(han):  # pypinyin joins nothing for CJK, but keep one syllable per character
        pinyin = tuple(lazy_pinyin(list(han), style=Style.NORMAL))
    return Features(
        text=text,
        han=han,
        latin=latin,
        pinyin=pinyin,
        fuzzy=tuple(fuzzy_syllable(s) for s in pinyin),
        meaning=_meaning_signature(han, latin),
    )
