"""Trademark screening at register scale: the candidate index against a brute-force oracle.

Generates a synthetic register of word marks across the 45 Nice classes (realistic lengths,
a Zipf-like character frequency, shared prefixes and suffixes such as 牌, 堂, 坊, 记, some
Latin and mixed marks), streams it into the application's index builder, then for a set of
proposed marks (variants of registered marks: one character changed, a similar glyph, the
same pinyin, another order, an added affix, a Latin letter changed; and fresh marks) prints

- median and p95 latency of the application's screening (candidates from the index, exact
  scoring, ranking: zhichan.screening.services.candidate_rows + rank),
- median and p95 of the oracle: the same scoring function over every mark of the same
  classes, and the speed-up,
- recall of the indexed top 20 against the oracle's top 20. Ties: an indexed hit counts when
  its weighted score is at least the oracle's 20th (the same function scores both sides),
- what an import costs the index: the time to write a delta of --delta changed marks (half of
  them renamed, half new), against the base's build time, and the screening latency through
  base + delta (zhichan.screening.index.Segments, as the application reads it after an import).

    .venv/bin/python benchmarks/tm_screening.py                    # 5,000,000 marks
    .venv/bin/python benchmarks/tm_screening.py --marks 1000000 --queries 60

The index goes to a temporary directory (--dir keeps it and reuses it on the next run).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhichan.settings")
import django  # noqa: E402

django.setup()

from zhichan.screening import services  # noqa: E402
from zhichan.screening.features import features, glyph_groups  # noqa: E402
from zhichan.screening.index import Segments, build, open_index  # noqa: E402

# Characters common in Chinese marks, most frequent first (drawn with a Zipf-like skew).
COMMON = (
    "金华龙福康泰鑫源宏达兴盛隆祥瑞丰安顺美佳乐天宝德仁和新中国大小老恒通正永昌利嘉汇"
    "博文雅清风云山水月星光明阳春秋红绿蓝青白黑香茗茶酒味食品鲜果蜜糖米面油盐酱醋豆"
    "禾田园林森木竹梅兰菊荷莲松柏鹤凤鹰虎狮马牛羊鱼鸟蜂蝶熊猫兔鹿象鼎城都港湾海江河湖"
    "一二三五六八九百千万元亿家人心爱友礼信义忠诚良品优尚极致精工艺匠坊堂记斋轩阁居"
    "之子乡村农谷粮仓酿晋秦蜀川湘粤闽浙苏皖鲁豫冀京沪津渝贵州云南北东西上下左右前后"
    "喜悦欢笑颜容妆丽雪冰霜雨露晨晖彩虹宇宙时代未来智慧科技创维联盟佳肴宴膳厨味道"
    "师帅傅奥粤桃挑免雷碧哇娃妈爹巴里阿奇迪思维特朗普芬尼可口乐百事雀巢"
)
SUFFIXES = ["牌", "堂", "坊", "记", "号", "斋", "阁", "轩", "居", "集团", "食品"]
PREFIXES = ["老", "小", "新", "金", "大", "福", "鑫", "华"]
LATIN = "AEIOUNRSTLCDMPBGHKFWYVZXJQ"
SYLLABLES = ["KA", "LO", "MI", "NA", "TE", "RI", "SO", "VA", "LE", "DI", "ZE", "PO", "XI", "BO", "FU", "GA"]
# Nice classes by share of filings (goods the most: 35, 30, 25, 29, 9, 43, 32, 33, 3, 5 ...).
CLASS_WEIGHTS = {
    35: 9,
    30: 7,
    25: 6,
    29: 5,
    9: 6,
    43: 5,
    32: 4,
    33: 4,
    3: 4,
    5: 3,
    41: 3,
    42: 3,
    31: 3,
    20: 2,
}


def zipf_table(items, exponent=1.0):
    return [1.0 / (rank + 1) ** exponent for rank in range(len(items))]


class Register:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.chars = list(dict.fromkeys(COMMON))
        self.char_weights = zipf_table(self.chars, 0.8)
        self.classes = list(range(1, 46))
        self.class_weights = [CLASS_WEIGHTS.get(n, 1) for n in self.classes]
        self.groups = {}
        for code, (nice, _name) in services.group_table().items():
            self.groups.setdefault(nice, []).append(code)

    def _han(self, n):
        return "".join(self.rng.choices(self.chars, self.char_weights, k=n))

    def _latin(self):
        rng = self.rng
        if rng.random() < 0.6:
            return "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
        return "".join(rng.choices(LATIN, k=rng.randint(3, 8)))

    def mark(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.08:
            return self._latin()
        if roll < 0.12:
            return self._han(rng.randint(2, 3)) + self._latin()
        length = rng.choices([1, 2, 3, 4, 5, 6], [2, 34, 36, 20, 5, 3])[0]
        text = self._han(length)
        if rng.random() < 0.2:
            text = rng.choice(PREFIXES) + text
        if rng.random() < 0.18:
            text += rng.choice(SUFFIXES)
        return text

    def records(self, count: int):
        rng = self.rng
        for row in range(count):
            nice = rng.choices(self.classes, self.class_weights)[0]
            codes = self.groups.get(nice) or [f"{nice:02d}01"]
            yield row, self.mark(), nice, rng.sample(codes, k=min(len(codes), rng.randint(1, 3)))


def variant(rng: random.Random, name: str, chars) -> str:
    """A proposed mark near a registered one, the way copycat marks are made."""
    f = features(name)
    han = f.han
    if f.latin and not han:
        latin = f.latin
        i = rng.randrange(len(latin))
        return latin[:i] + rng.choice(LATIN) + latin[i + 1 :]
    kind = rng.choice(["changed", "glyph", "reorder", "affix", "contains", "same"])
    if kind == "changed" and len(han) >= 3:
        i = rng.randrange(len(han))
        return han[:i] + rng.choice(chars) + han[i + 1 :]
    if kind == "glyph":
        table = glyph_groups()
        for i, ch in enumerate(han):
            if ch in table:
                alike = [c for c, groups in table.items() if set(groups) & set(table[ch]) and c != ch]
                if alike:
                    return han[:i] + rng.choice(alike) + han[i + 1 :]
    if kind == "reorder" and len(han) >= 2:
        return han[1:] + han[0]
    if kind == "affix":
        return han + rng.choice(SUFFIXES)
    if kind == "contains":
        return han + rng.choice(chars) + rng.choice(chars)
    return han


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--marks", type=int, default=5_000_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--oracle-queries", type=int, default=None, help="default: all the queries")
    parser.add_argument("--candidates", type=int, default=None, help="default: ZHICHAN_SCREENING_CANDIDATES")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--dir", type=Path, default=None, help="keep the index here (reused when present)")
    parser.add_argument("--delta", type=int, default=50_000, help="marks changed by an import (0: skip)")
    args = parser.parse_args(argv)

    from django.conf import settings

    candidates = args.candidates or settings.ZHICHAN_SCREENING_CANDIDATES
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="tm-screening-"))
    index_dir = workdir / f"index-{args.marks}-{args.seed}"
    register = Register(args.seed)
    if not (index_dir / "meta.json").exists():
        started = time.perf_counter()
        rows = build(register.records(args.marks), index_dir)
        built = time.perf_counter() - started
        print(f"built the index of {rows:,} marks in {built:.0f} s ({built / rows * 1e6:.0f} µs a mark)")
    index = open_index(index_dir)
    size = sum(f.stat().st_size for f in index_dir.iterdir())
    print(f"index: {index.rows:,} marks, {len(index.keys):,} keys, {size / 2**20:.0f} MiB on disk")

    rng = random.Random(args.seed + 1)
    queries = []
    while len(queries) < args.queries:
        row = rng.randrange(index.rows)
        name = index.name(row) if rng.random() < 0.85 else Register(rng.randrange(10**9)).mark()
        proposed = variant(rng, name, register.chars)
        nice = int(index.classes[row])
        classes = [nice] if rng.random() < 0.7 else sorted({nice, rng.choice(list(CLASS_WEIGHTS))})
        groups = index.groups(row)[:1] if rng.random() < 0.5 else []
        try:
            queries.append(services.parse_query(proposed, classes=classes, groups=groups))
        except Exception:  # noqa: S112 - a variant without characters: draw another
            continue

    for query in queries[:3]:  # warm-up: page in the arrays, fill the caches of the tables
        services.rank(query, services.candidate_rows(query, index, candidates), index)

    def timed(index_, query):
        features.cache_clear()  # no help from marks scored for an earlier query
        started = time.perf_counter()
        found = services.rank(query, services.candidate_rows(query, index_, candidates), index_)[:20]
        return time.perf_counter() - started, found

    fast, slow, recalls, strict = [], [], [], []
    oracle_count = args.oracle_queries if args.oracle_queries is not None else len(queries)
    for number, query in enumerate(queries):
        took, found = timed(index, query)
        fast.append(took)
        if number >= oracle_count:
            continue
        features.cache_clear()
        started = time.perf_counter()
        truth = services.rank(query, index.rows_of_classes(query.classes), index)[:20]
        slow.append(time.perf_counter() - started)
        if not truth:
            recalls.append(1.0)
            strict.append(1.0)
            continue
        last = truth[-1][0]
        recalls.append(min(1.0, sum(1 for item in found if item[0] >= last) / len(truth)))
        strict.append(len({item[2] for item in found} & {item[2] for item in truth}) / len(truth))
        if recalls[-1] < 1:
            print(f"  recall {recalls[-1]:.2f} for {query.mark} in {query.classes}", file=sys.stderr)

    ms = 1000
    print(f"queries: {len(queries)} (oracle on {len(slow)}), candidates scored: at most {candidates}")
    print(f"screening p50 {statistics.median(fast) * ms:.1f} ms, p95 {percentile(fast, 0.95) * ms:.1f} ms")
    if slow:
        print(
            f"oracle    p50 {statistics.median(slow) * ms:.0f} ms, p95 {percentile(slow, 0.95) * ms:.0f} ms"
        )
        speedup = statistics.median(slow) / statistics.median(fast)
        print(f"speed-up (median oracle / median screening): {speedup:.0f}x")
        print(f"recall@20 against the oracle: mean {statistics.mean(recalls):.4f}, min {min(recalls):.2f}")
        print(f"  (same rows, ties broken by row: mean {statistics.mean(strict):.4f})")
    if args.delta:
        delta_run(args, index, register, queries, timed, workdir)


def delta_run(args, index, register, queries, timed, workdir):
    """An import's share of the work: write the delta, then screen through base + delta."""
    rng = random.Random(args.seed + 2)
    renamed = rng.sample(range(index.rows), args.delta // 2)
    next_id = int(index.ids[index.rows - 1]) + 1

    def records():
        for row in renamed:  # the same mark under a new name
            yield index.id_of(row), register.mark(), int(index.classes[row]), index.groups(row)
        for number, (_row, name, nice, groups) in enumerate(register.records(args.delta - len(renamed))):
            yield next_id + number, name, nice, groups

    delta_dir = workdir / f"delta-{args.marks}-{args.seed}-{args.delta}"
    started = time.perf_counter()
    written = build(records(), delta_dir, masked=[index.id_of(row) for row in renamed])
    took = time.perf_counter() - started
    print(f"delta of {written:,} marks ({len(renamed):,} renamed) written in {took:.1f} s")
    segments = Segments(index, open_index(delta_dir))
    times = [timed(segments, query)[0] for query in queries]
    ms = 1000
    print(
        f"screening through base + delta p50 {statistics.median(times) * ms:.1f} ms, "
        f"p95 {percentile(times, 0.95) * ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
