"""The candidate index: which live marks share a feature with a proposed mark, by class.

Each mark gives a set of keys (`keys`): its core, each Chinese character, pinyin syllable, glyph
group, adjacent character pairs, the sorted characters, the core with one character wild or
left out (two from five characters on), the pinyin (exact and fuzzy, with one syllable wild
or left out) or Latin spelling, the mark with characters replaced by
their glyph groups, Latin deletions and trigrams, the meaning signature. A proposed mark also
looks up each run of its characters as a whole core (`query_keys`).
Every reason of `scoring.compare` implies a shared key, so a mark that scores above 0 is
always among the marks sharing a key: the index loses nothing by construction, and recall
depends only on how many candidates are scored.

Keys are hashed to 57 bits with the class in the top bits and stored as sorted arrays (numpy
files in one directory): the keys, their postings (row numbers), and per row the trademark id,
class, name and similar groups. A hash collision can only add candidates, never drop one.
Candidates are ranked by the summed weight of the keys they share, each key weighted by its
kind and its rarity in the class, and the best `limit` are scored exactly.

An index in use has two segments (`Segments`): the base, built from every live mark, and a
delta built from the marks changed since the base was built, whose ids mask their old rows in
the base. An import rewrites only the delta; the base is rebuilt when the delta grows large.
"""

import itertools
import json
import math
import os
import shutil
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from zhichan.screening.features import Features, features, glyph_groups

FORMAT = 3
CLASS_SHIFT = 57  # 6 bits of class above a 57-bit key hash
HASH_MASK = (1 << CLASS_SHIFT) - 1
CHUNK = 200_000

# How much a shared key of each kind says about the score (before its rarity).
KIND_WEIGHT = {
    "w": 4.0, "x": 2.5, "y": 2.5, "s": 2.0, "S": 2.0, "P": 2.5, "F": 2.0, "Q": 2.0, "G": 2.5, "m": 2.0,
    "d": 2.0, "b": 1.5, "c": 1.0, "p": 0.6, "g": 0.8, "t": 0.5,
}  # fmt: skip
MAX_GLYPH_KEYS = 64  # a mark of many characters with many look-alikes keeps its "g" keys only


def _glyph_patterns(han: str, table) -> list[str]:
    """The mark with any of its characters replaced by one of its glyph groups: two marks whose
    characters are each the same or alike (the "glyph" reason) share one of these."""
    options = [[ch, *(f"#{n}" for n in table.get(ch, ()))] for ch in han]
    if math.prod(len(o) for o in options) > MAX_GLYPH_KEYS:
        return []
    return ["|".join(combo) for combo in itertools.product(*options)][1:]  # [0] is the mark itself


def keys(f: Features) -> set[str]:
    out: set[str] = set()
    if f.core:
        out.add("w:" + f.core)
    han, latin = f.han, f.latin
    if han:
        out.add("P:" + f.pinyin_text)
        fuzzy = f.fuzzy
        out.add("F:" + " ".join(fuzzy))
        # one syllable changed, or added (the longer's deletions are the shorter's whole)
        if len(fuzzy) >= 3:
            out.update("Q:" + " ".join((*fuzzy[:i], "?", *fuzzy[i + 1 :])) for i in range(len(fuzzy)))
        if len(fuzzy) >= 4:
            out.update("F:" + " ".join(fuzzy[:i] + fuzzy[i + 1 :]) for i in range(len(fuzzy)))
        table = glyph_groups()
        for ch in han:
            out.add("c:" + ch)
            for number in table.get(ch, ()):
                out.add(f"g:{number}")
        out.update("G:" + pattern for pattern in _glyph_patterns(han, table))
        out.update("p:" + s for s in f.fuzzy)
        if len(han) >= 2:
            out.add("s:" + "".join(sorted(han)))
            # adjacent pairs: a shared run of two or more (shared_part, contains) ranks high
            out.update("b:" + han[i : i + 2] for i in range(len(han) - 1))
        if len(han) >= 3:
            out.update("x:" + han[:i] + "?" + han[i + 1 :] for i in range(len(han)))
            out.add("y:" + han)  # a character added or removed: the shorter mark is a deletion
        if len(han) >= 4:
            out.update("y:" + han[:i] + han[i + 1 :] for i in range(len(han)))
        if len(han) >= 5:  # two left out: the shorter mark read inside it ("interleaved")
            n = len(han)
            pairs = itertools.combinations(range(n), 2)
            out.update("y:" + han[:i] + han[i + 1 : j] + han[j + 1 :] for i, j in pairs)
    if latin:
        out.add("P:" + latin)
        if len(latin) >= 3:
            out.add("S:" + "".join(sorted(latin)))
            out.update("t:" + latin[i : i + 3] for i in range(len(latin) - 2))
        if len(latin) >= 4:
            out.add("d:" + latin)
            out.update("d:" + latin[:i] + latin[i + 1 :] for i in range(len(latin)))
    if f.meaning:
        out.add("m:" + f.meaning)
    return out


def query_keys(f: Features) -> set[str]:
    """`keys` and, for a proposed mark, each run of two or more of its characters as a whole
    core: the marks it contains whole (the "contains" reason the other way round)."""
    out = keys(f)
    core = f.core
    out.update("w:" + core[i:j] for i in range(len(core)) for j in range(i + 2, len(core) + 1))
    return out


def key_hash(key: str) -> int:
    data = key.encode()
    return ((zlib.crc32(data) << 32) | zlib.adler32(data)) & HASH_MASK


def _encode(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    raw = [s.encode() for s in strings]
    offsets = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in raw], out=offsets[1:])
    return np.frombuffer(b"".join(raw), dtype=np.uint8), offsets


def build(
    records: Iterable[tuple[int, str, int, Iterable[str]]],
    directory: Path,
    *,
    extra: dict | None = None,
    masked: Iterable[int] = (),
) -> int:
    """Write the index of (trademark id, name, class, similar groups) to `directory`; rows written.

    `extra` goes into meta.json; `masked` (trademark ids) is stored for `Segments`."""
    directory = Path(directory)
    work = directory.with_name(directory.name + ".new")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    hashes, postings, names, groups, ids, classes = [], [], [], [], [], []
    chunk_hashes: list[int] = []
    chunk_rows: list[int] = []
    row = 0
    for pk, name, nice_class, mark_groups in records:
        composite = int(nice_class) << CLASS_SHIFT
        for key in keys(features(name)):
            chunk_hashes.append(composite | key_hash(key))
            chunk_rows.append(row)
        ids.append(pk)
        classes.append(nice_class)
        names.append(name)
        groups.append(",".join(mark_groups or ()))
        row += 1
        if len(chunk_hashes) >= CHUNK * 10:
            hashes.append(np.array(chunk_hashes, dtype=np.uint64))
            postings.append(np.array(chunk_rows, dtype=np.uint32))
            chunk_hashes, chunk_rows = [], []
    hashes.append(np.array(chunk_hashes, dtype=np.uint64))
    postings.append(np.array(chunk_rows, dtype=np.uint32))
    all_hashes = np.concatenate(hashes)
    all_rows = np.concatenate(postings)
    del hashes, postings
    order = np.argsort(all_hashes, kind="stable")  # stable: rows stay ascending within a key
    all_hashes = all_hashes[order]
    all_rows = all_rows[order]
    del order
    unique, starts = np.unique(all_hashes, return_index=True)
    del all_hashes
    offsets = np.empty(len(unique) + 1, dtype=np.int64)
    offsets[:-1] = starts
    offsets[-1] = len(all_rows)
    np.save(work / "keys.npy", unique)
    np.save(work / "offsets.npy", offsets)
    np.save(work / "postings.npy", all_rows)
    np.save(work / "ids.npy", np.array(ids, dtype=np.int64))
    class_array = np.array(classes, dtype=np.uint8)
    np.save(work / "classes.npy", class_array)
    for label, strings in (("names", names), ("groups", groups)):
        blob, string_offsets = _encode(strings)
        np.save(work / f"{label}.npy", blob)
        np.save(work / f"{label}_offsets.npy", string_offsets)
    counts = np.bincount(class_array, minlength=64) if row else np.zeros(64, dtype=np.int64)
    np.save(work / "masked.npy", np.unique(np.fromiter(masked, dtype=np.int64)))
    meta = {**(extra or {}), "format": FORMAT, "rows": row, "class_rows": [int(n) for n in counts]}
    (work / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.replace(directory, old)
    os.replace(work, directory)
    shutil.rmtree(old, ignore_errors=True)
    return row


class Index:
    """A built index, memory-mapped read-only."""

    def __init__(self, directory: Path):
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError("the screening index has another format; rebuild it")
        self.directory = directory
        self.meta = meta
        self.rows = meta["rows"]
        self.class_rows = meta["class_rows"]

        def load(name):
            return np.load(directory / f"{name}.npy", mmap_mode="r")

        self.keys = load("keys")
        self.offsets = load("offsets")
        self.postings = load("postings")
        self.ids = load("ids")
        self.classes = load("classes")
        masked = directory / "masked.npy"
        self.masked = np.load(masked) if masked.exists() else np.zeros(0, dtype=np.int64)
        # Names and groups are read row by row: plain bytes and lists slice faster than memmaps.
        self._names, self._name_offsets = load("names").tobytes(), load("names_offsets")
        self._groups, self._group_offsets = load("groups").tobytes(), load("groups_offsets")

    def id_of(self, row: int) -> int:
        return int(self.ids[row])

    def name(self, row: int) -> str:
        start, end = self._name_offsets[row : row + 2].tolist()
        return self._names[start:end].decode()

    def groups(self, row: int) -> list[str]:
        start, end = self._group_offsets[row : row + 2].tolist()
        return self._groups[start:end].decode().split(",") if end > start else []

    def rows_data(self, rows) -> list[tuple[int, str, int, list[str]]]:
        """(row, name, class, groups) of each row, in one pass over the arrays."""
        rows = np.asarray(rows, dtype=np.int64)
        name_starts, name_ends = self._name_offsets[rows].tolist(), self._name_offsets[rows + 1].tolist()
        group_starts, group_ends = self._group_offsets[rows].tolist(), self._group_offsets[rows + 1].tolist()
        names, groups = self._names, self._groups
        return [
            (row, names[a:b].decode(), nice, groups[c:d].decode().split(",") if d > c else [])
            for row, a, b, nice, c, d in zip(
                rows.tolist(),
                name_starts,
                name_ends,
                self.classes[rows].tolist(),
                group_starts,
                group_ends,
                strict=True,
            )
        ]

    def _postings(self, composite: int) -> np.ndarray | None:
        position = int(np.searchsorted(self.keys, np.uint64(composite)))
        if position < len(self.keys) and int(self.keys[position]) == composite:
            return self.postings[self.offsets[position] : self.offsets[position + 1]]
        return None

    def candidates(self, f: Features, classes: Iterable[int], limit: int) -> np.ndarray:
        """Rows of the given classes sharing a key with `f`, the `limit` most promising first."""
        if not self.rows:
            return np.zeros(0, dtype=np.uint32)
        mark_keys = [(key[0], key_hash(key)) for key in query_keys(f)]
        lists, weights = [], []
        for nice_class in classes:
            in_class = self.class_rows[nice_class] if nice_class < len(self.class_rows) else 0
            if not in_class:
                continue
            composite = nice_class << CLASS_SHIFT
            for kind, hashed in mark_keys:
                rows = self._postings(composite | hashed)
                if rows is None:
                    continue
                lists.append(rows)
                rarity = math.log(1 + in_class / len(rows))
                weights.append(np.full(len(rows), KIND_WEIGHT[kind] * rarity, dtype=np.float32))
        if not lists:
            return np.zeros(0, dtype=np.uint32)
        rows = np.concatenate(lists)
        unique, inverse = np.unique(rows, return_inverse=True)
        if len(unique) <= limit:
            totals = np.bincount(inverse, weights=np.concatenate(weights))
            return unique[np.argsort(-totals, kind="stable")]
        totals = np.bincount(inverse, weights=np.concatenate(weights))
        best = np.argpartition(-totals, limit - 1)[:limit]
        return unique[best[np.argsort(-totals[best], kind="stable")]]

    def rows_of_classes(self, classes: Iterable[int]) -> np.ndarray:
        """Every row of the given classes (the brute-force scan of the benchmark's oracle)."""
        return np.nonzero(np.isin(self.classes, np.array(list(classes), dtype=np.uint8)))[0]


class Segments:
    """The base index and the delta of marks changed since, read as one: rows of the delta
    follow the base's, and base rows of a mark in the delta's mask are left out."""

    def __init__(self, base: Index, delta: Index | None):
        self.base, self.delta = base, delta
        self.rows = base.rows + (delta.rows if delta else 0)

    def _unmasked(self, rows: np.ndarray) -> np.ndarray:
        if self.delta is None or not len(self.delta.masked) or not len(rows):
            return rows
        ids = self.base.ids[rows]
        position = np.searchsorted(self.delta.masked, ids).clip(max=len(self.delta.masked) - 1)
        return rows[self.delta.masked[position] != ids]

    def candidates(self, f: Features, classes: Iterable[int], limit: int) -> np.ndarray:
        classes = list(classes)
        # Ask the base for more so that masked rows do not crowd out live ones.
        extra = len(self.delta.masked) if self.delta else 0
        rows = self._unmasked(self.base.candidates(f, classes, limit + min(extra, limit)))[:limit]
        if self.delta is None:
            return rows.astype(np.int64)
        more = self.delta.candidates(f, classes, limit).astype(np.int64) + self.base.rows
        return np.concatenate([rows.astype(np.int64), more])

    def _split(self, rows):
        rows = np.asarray(rows, dtype=np.int64)
        return rows[rows < self.base.rows], rows[rows >= self.base.rows] - self.base.rows

    def rows_data(self, rows) -> list[tuple[int, str, int, list[str]]]:
        base_rows, delta_rows = self._split(rows)
        data = self.base.rows_data(base_rows)
        if self.delta is not None and len(delta_rows):
            offset = self.base.rows
            data += [(row + offset, *rest) for row, *rest in self.delta.rows_data(delta_rows)]
        return data

    def id_of(self, row: int) -> int:
        if row < self.base.rows:
            return self.base.id_of(row)
        return self.delta.id_of(row - self.base.rows)

    def rows_of_classes(self, classes: Iterable[int]) -> np.ndarray:
        classes = list(classes)
        rows = self._unmasked(self.base.rows_of_classes(classes)).astype(np.int64)
        if self.delta is None:
            return rows
        return np.concatenate([rows, self.delta.rows_of_classes(classes).astype(np.int64) + self.base.rows])


_cache: dict[str, tuple[float, Index]] = {}
_lock = threading.Lock()


def open_index(directory: Path) -> Index | None:
    """The index in `directory`, reopened when it was rebuilt; None when there is none."""
    meta = Path(directory) / "meta.json"
    try:
        stamp = meta.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    with _lock:
        cached = _cache.get(str(directory))
        if cached and cached[0] == stamp:
            return cached[1]
        index = Index(directory)
        _cache[str(directory)] = (stamp, index)
        return index


def open_segments(directory: Path) -> Segments | None:
    """`directory`/base with `directory`/delta when there is one; None without a base."""
    base = open_index(Path(directory) / "base")
    if base is None:
        return None
    delta = open_index(Path(directory) / "delta")
    # A delta left from an earlier base (a crash between the two writes) does not belong to it.
    if delta is not None and delta.meta.get("base_built_at") != base.meta.get("built_at"):
        delta = None
    return Segments(base, delta)
