"""How similar two word marks are, and why (文字商标近似的判定).

`score(proposed, prior)` returns a `Match`: a score in 0..1 and the reasons, each a code and a
short detail. The weights are data (data/weights.yaml, see `weights`). Every reason needs the
two marks to share something the candidate index keys on (index.keys), so the index never
misses a mark that scores above 0.
"""

from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from zhichan.screening.features import Features, features, glyph_groups
from zhichan.screening.weights import weights

MIN_CONTAINED = 2  # a contained mark of one character says little
MIN_LATIN_EDIT = 4  # one letter changed counts from four letters on
MIN_CHANGED = 3  # one character changed counts from three characters on
MAX_INSERTED = 2  # characters put inside a mark that still reads as that mark


@dataclass(slots=True)
class Match:
    score: float = 0.0
    reasons: list[tuple[str, str]] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [code for code, _ in self.reasons]


def _longest_common_run(a: str, b: str) -> tuple[int, int]:
    """Length and start in `a` of the longest run of characters `a` and `b` share."""
    best = start = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            if k > best:
                best, start = k, i
    return best, start


def _shares_a_pair(a: str, b: str) -> bool:
    pairs = {a[i : i + 2] for i in range(len(a) - 1)}
    return any(b[i : i + 2] in pairs for i in range(len(b) - 1))


def _share(short: int, long: int, floor: float) -> float:
    return floor + (1 - floor) * short / long


def _one_edit(x, y) -> bool:
    """Sequences equal but for one item changed, added or removed."""
    if len(x) == len(y):
        return sum(1 for i, j in zip(x, y, strict=True) if i != j) == 1
    short, long = (x, y) if len(x) < len(y) else (y, x)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _in_order(short: str, long: str) -> bool:
    """Every character of `short` in `long`, in order (others may stand between)."""
    rest = iter(long)
    return all(ch in rest for ch in short)


def _glyph_alike(a: str, b: str) -> bool:
    table = glyph_groups()
    return bool(set(table.get(a, ())) & set(table.get(b, ())))


def _contains(a: Features, b: Features) -> tuple[str, int] | None:
    """The shorter core when the longer one contains it whole: (core, length of the longer)."""
    short, long = (a.core, b.core) if len(a.core) <= len(b.core) else (b.core, a.core)
    if short == long or short not in long:
        return None
    han = any(ch >= "\u3400" for ch in short)  # the rest is A-Z and 0-9
    if len(short) >= (MIN_CONTAINED if han else 3):
        return short, len(long)
    return None


def _han_reasons(a: Features, b: Features, w: dict, floor: float, out: list, contained: bool) -> None:
    x, y = a.han, b.han
    if not x or not y:
        return
    if x == y:  # the Latin parts differ
        if len(x) >= 2 and not contained:
            longest = max(len(a.core), len(b.core))
            out.append(("shared_part", x, w["shared_part"] * _share(len(x), longest, floor)))
        return
    same_length = len(x) == len(y)
    if same_length and len(x) >= 2 and sorted(x) == sorted(y):
        out.append(("reordered", f"{x} / {y}", w["reordered"]))
    if same_length:
        differ = [i for i in range(len(x)) if x[i] != y[i]]
        if len(differ) == 1 and len(x) >= MIN_CHANGED:
            i = differ[0]
            out.append(("char_changed", f"{x[i]} → {y[i]}", w["char_changed"]))
        if differ and all(_glyph_alike(x[i], y[i]) for i in differ):
            detail = ", ".join(dict.fromkeys(f"{x[i]}/{y[i]}" for i in differ))
            out.append(("glyph", detail, w["glyph"]))
    elif abs(len(x) - len(y)) == 1 and min(len(x), len(y)) >= MIN_CHANGED:
        short, long = (x, y) if len(x) < len(y) else (y, x)
        for i in range(len(long)):
            if long[:i] + long[i + 1 :] == short:
                sign = "+" if long is y else "−"
                out.append(("char_changed", f"{sign}{long[i]}", w["char_changed"]))
                break
    changed = any(code == "char_changed" for code, _, _ in out)
    if a.pinyin == b.pinyin:
        out.append(("pronunciation", " ".join(a.pinyin), w["pronunciation"]))
    elif a.fuzzy == b.fuzzy:
        detail = f"{' '.join(a.pinyin)} / {' '.join(b.pinyin)}"
        out.append(("similar_pronunciation", detail, w["similar_pronunciation"]))
    elif not changed and min(len(x), len(y)) >= MIN_CHANGED and _one_edit(a.fuzzy, b.fuzzy):
        # 奥利奥 / 奥莉花: a homophone and one character changed sound alike as a whole.
        detail = f"{' '.join(a.pinyin)} / {' '.join(b.pinyin)}"
        out.append(("pronunciation_changed", detail, w["pronunciation_changed"]))
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) >= MIN_CONTAINED and short in long:
        if not contained:
            out.append(("contains", short, w["contains"] * _share(len(short), len(long), floor)))
    elif (
        not changed
        and len(short) >= MIN_CHANGED
        and 0 < len(long) - len(short) <= MAX_INSERTED
        and _in_order(short, long)
    ):
        # 六个核桃 / 六个石磨核桃: the whole mark, with a word or two put in.
        out.append(("interleaved", short, w["interleaved"] * _share(len(short), len(long), floor)))
    elif not out and _shares_a_pair(x, y):
        run, start = _longest_common_run(x, y)
        if run >= 2:
            out.append(
                ("shared_part", x[start : start + run], w["shared_part"] * _share(run, len(long), floor))
            )


def _latin_reasons(a: Features, b: Features, w: dict, floor: float, out: list, contained: bool) -> None:
    x, y = a.latin, b.latin
    if not x or not y or x == y:
        return
    if len(x) >= 3 and len(x) == len(y) and sorted(x) == sorted(y):
        out.append(("latin_reordered", f"{x} / {y}", w["latin_reordered"]))
    elif min(len(x), len(y)) >= MIN_LATIN_EDIT and Levenshtein.distance(x, y, score_cutoff=1) == 1:
        out.append(("latin_one_letter", f"{x} / {y}", w["latin_one_letter"]))
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) >= 3 and short in long and not contained:
        out.append(("contains", short, w["contains"] * _share(len(short), len(long), floor)))


def compare(a: Features, b: Features) -> Match:
    """The score and reasons of two marks' features (symmetric but for the wording)."""
    config = weights()
    w, floor = config.reasons, config.share_floor
    found: list[tuple[str, str, float]] = []
    if not a.text or not b.text:
        return Match()
    if a.text == b.text:
        found.append(("identical", a.text, w["identical"]))
    elif a.core and a.core == b.core:
        found.append(("affix", a.core, w["affix"]))
    else:
        whole = _contains(a, b)
        if whole:
            found.append(("contains", whole[0], w["contains"] * _share(len(whole[0]), whole[1], floor)))
        _han_reasons(a, b, w, floor, found, bool(whole))
        _latin_reasons(a, b, w, floor, found, bool(whole))
        for han_side, latin_side in ((a, b), (b, a)):
            pure = han_side.han and not han_side.latin and latin_side.latin and not latin_side.han
            if pure and len(latin_side.latin) >= 2 and han_side.pinyin_text == latin_side.latin:
                found.append(("pinyin_latin", latin_side.latin, w["pinyin_latin"]))
        if a.meaning and a.meaning == b.meaning:
            found.append(("meaning", a.meaning, w["meaning"]))
    if not found:
        return Match()
    found.sort(key=lambda item: -item[2])
    total = found[0][2] + config.combine_bonus * sum(item[2] for item in found[1:])
    return Match(score=round(min(1.0, total), 4), reasons=[(code, detail) for code, detail, _ in found])


def score(proposed: str, prior: str) -> Match:
    return compare(features(proposed), features(prior))
