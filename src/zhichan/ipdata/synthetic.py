"""Realistic synthetic patent and trademark records, for tests and benchmarks without private data.

Everything is deterministic for a seed and streams: memory stays bounded whatever n is. Records
are dicts with exactly the model field names (``Patent(**record)`` works, less the relations).

- Application numbers carry valid check digits and are unique within a run (year + type +
  serial counters with random strides); publication numbers follow the type (A, then B when
  granted; U; S) and are unique too.
- Applicants follow a Zipf law over a pool: a few large applicants own many records. The pool
  of local (Jinzhong) organisations is fixed for a seed and returned by ``enterprises(seed)``;
  the national pool is computed from the rank on demand (a bounded cache keeps the frequent ones).
- Titles, abstracts and claims are built from ``data/vocabulary.yaml`` by topic; IPC codes
  come from ``data/ipc.csv``; places from the statistical division codes in ``data/``.
"""

from __future__ import annotations

import bisect
import csv
import functools
import random
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

import yaml

from zhichan.enterprises.uscc import check_character
from zhichan.ipdata.numbers import check_digit

DATA = Path(__file__).with_name("data")
JINZHONG = "1407"
TAIGU = "140703"
# Published before 2021-06-01: design patents lasted 10 years, afterwards 15.
DESIGN_TERM_CHANGE = date(2021, 6, 1)

PATENT_FIELDS = (
    "application_number", "application_date", "publication_number", "publication_date",
    "grant_number", "grant_date", "patent_type", "title", "abstract", "claims", "applicants",
    "first_applicant", "inventors", "address", "ipc_codes", "main_ipc", "legal_status",
    "legal_status_text", "agency", "agents",
)  # fmt: skip
TRADEMARK_FIELDS = (
    "registration_number", "name", "nice_class", "similar_groups", "goods", "application_date",
    "publication_date", "registration_date", "expiry_date", "applicants", "first_applicant",
    "address", "agency", "status", "status_text",
)  # fmt: skip
PATENT_HEADERS = (
    ("申请号", "application_number"), ("申请日", "application_date"),
    ("公开(公告)号", "publication_number"), ("公开(公告)日", "publication_date"),
    ("授权公告号", "grant_number"), ("授权公告日", "grant_date"), ("名称", "title"),
    ("摘要", "abstract"), ("主权项", "claims"), ("申请(专利权)人", "applicants"),
    ("发明人", "inventors"), ("地址", "address"), ("IPC分类号", "ipc_codes"),
    ("主分类号", "main_ipc"), ("专利类型", "patent_type"), ("法律状态", "legal_status_text"),
    ("代理机构", "agency"), ("代理人", "agents"),
)  # fmt: skip
TRADEMARK_HEADERS = (
    "注册号", "商标名称", "国际分类", "类似群", "商品/服务", "申请日", "初审公告日", "注册日",
    "专用权期限", "申请人", "地址", "代理机构", "商标状态",
)  # fmt: skip
PATENT_TYPE_LABELS = {"invention": "发明专利", "utility": "实用新型", "design": "外观设计"}
ENTERPRISE_FIELDS = ("name", "uscc", "region_code", "county", "address", "industry", "kind")

# Share of filings by province (rounded national patent statistics); Shanxi excludes Jinzhong.
PROVINCE_WEIGHTS = {
    "44": 14, "32": 12, "33": 10, "37": 6, "11": 6, "31": 5, "34": 4, "35": 3.5, "42": 3.5,
    "51": 3, "41": 3, "43": 2.5, "12": 2, "13": 2, "61": 2, "50": 1.5, "21": 1.5, "36": 1.5,
    "14": 1.2, "45": 1, "53": 0.8, "23": 0.8, "22": 0.7, "52": 0.6, "62": 0.5, "15": 0.5,
    "65": 0.4, "46": 0.3, "64": 0.3, "63": 0.15, "54": 0.05,
}  # fmt: skip
# Jinzhong's counties by economic weight (榆次 largest).
COUNTY_WEIGHTS = {
    "140702": 30, "140703": 12, "140781": 12, "140728": 9, "140727": 8, "140729": 8,
    "140725": 6, "140724": 4, "140723": 3, "140722": 3, "140721": 3,
}  # fmt: skip
LOCAL_POOL_SIZE = 2000
# 0-based ranks where the universities sit in the Zipf-ordered pools.
LOCAL_UNIVERSITY_RANKS = (1, 4, 12, 40, 150)
NATIONAL_UNIVERSITY_RANKS = (2, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181,
                             6765, 10946, 17711, 28657)  # fmt: skip
PATENT_TYPE_WEIGHTS = (("invention", 0.35), ("utility", 0.52), ("design", 0.13))
INDIVIDUAL_SHARE = {"invention": 0.05, "utility": 0.16, "design": 0.22}
M64 = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64: a fast, well-spread hash of an integer (deterministic across runs)."""
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def _read_csv(name):
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def vocabulary() -> dict:
    with open(DATA / "vocabulary.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def ipc_table() -> tuple[dict, ...]:
    """The IPC groups the generator draws from: code, subclass, title_zh."""
    return tuple(_read_csv("ipc.csv"))


@functools.cache
def trademark_groups() -> dict[int, list[tuple[str, list[str]]]]:
    """Nice class -> [(similar-group code, [item names])] from the 2018 similar-group table."""
    items: dict[str, list[str]] = {}
    for row in _read_csv("tm_items.csv"):
        items.setdefault(row["group_code"], []).append(row["item_name"])
    classes: dict[int, list[tuple[str, list[str]]]] = {}
    for row in _read_csv("tm_groups.csv"):
        if items.get(row["group_code"]):
            classes.setdefault(int(row["class"]), []).append((row["group_code"], items[row["group_code"]]))
    return classes


class _Picker:
    """Weighted choice by a uniform number in [0, 1).

    A table of 4096 slots filled in proportion to the weights answers in one index operation
    (hot loops use ``picker.table`` directly); weights below 1/4096 of the total still get a
    slot, so every item can be drawn.
    """

    __slots__ = ("items", "table")
    SIZE = 4096

    def __init__(self, weighted):
        weighted = [(item, weight) for item, weight in weighted if weight > 0]
        self.items = [item for item, _ in weighted]
        cum = list(accumulate(weight for _, weight in weighted))
        total = cum[-1]
        size = self.SIZE
        table = [self.items[bisect.bisect_right(cum, (i + 0.5) * total / size)] for i in range(size)]
        present = set(table)
        missing = [item for item in self.items if item not in present]
        for offset, item in enumerate(missing):  # rare items keep a slot
            table[offset * 7 % self.SIZE] = item
        self.table = tuple(table)

    def __call__(self, u: float):
        return self.table[int(u * 4096)]


def _province_short(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@functools.cache
def _geography():
    provinces = {row["code"]: row["name"] for row in _read_csv("provinces.csv")}
    cities: dict[str, list[dict]] = {}
    for row in _read_csv("cities.csv"):
        cities.setdefault(row["provinceCode"], []).append(row)
    areas: dict[str, list[str]] = {}
    for row in _read_csv("areas.csv"):
        areas.setdefault(row["cityCode"], []).append(row["name"])
    # Non-local places: (province, city or "", area list); the capital (first city) weighs more.
    places = []
    for code, weight in PROVINCE_WEIGHTS.items():
        # "省直辖县级行政区划" and the like group counties under no city: left out.
        city_rows = [c for c in cities.get(code, []) if c["code"] != JINZHONG and "直辖" not in c["name"]]
        for index, city in enumerate(city_rows):
            city_name = "" if city["name"] in ("市辖区", "县") else city["name"]
            share = weight * (4 if index == 0 else 1) / (len(city_rows) + 3)
            places.append(((provinces[code], city_name, tuple(areas.get(city["code"], ()))), share))
    counties = {row["code"]: row["name"] for row in _read_csv("areas.csv") if row["cityCode"] == JINZHONG}
    townships: dict[str, list[str]] = {}
    for row in _read_csv("jinzhong_streets.csv"):
        townships.setdefault(row["areaCode"], []).append(row["name"])
    return provinces, _Picker(places), counties, townships


@functools.cache
def _county_picker() -> _Picker:
    return _Picker(COUNTY_WEIGHTS.items())


def jinzhong_counties() -> dict[str, str]:
    """County-level divisions of Jinzhong: code -> name."""
    return dict(_geography()[2])


class _Words:
    """The vocabulary flattened into tuples and pickers, built once per process."""

    def __init__(self):
        v = vocabulary()
        self.v = v
        self.topic_names = list(v["topics"])
        self.topics = [v["topics"][name] for name in self.topic_names]
        self.topic_local = _Picker((i, t["weight_local"]) for i, t in enumerate(self.topics))
        self.topic_national = _Picker((i, t["weight_national"]) for i, t in enumerate(self.topics))
        by_subclass: dict[str, list[str]] = {}
        for row in ipc_table():
            by_subclass.setdefault(row["subclass"], []).append(row["code"])
        # Per topic: each subclass equally likely, then a group within it.
        self.topic_codes = [[tuple(by_subclass[s]) for s in t["subclasses"]] for t in self.topics]
        self.all_codes = tuple(row["code"] for row in ipc_table())
        self.surname = _Picker(v["surnames"].items())
        self.given = v["given_chars"]
        self.trade = v["trade_name_chars"]
        self.legal_form = _Picker(v["legal_forms"].items())
        self.roads = v["roads"]
        self.adjectives = v["adjectives"]
        self.features = v["features"]
        self.useverbs = v["useverbs"]
        self.tech = v["tech"]
        self.modules = v["modules"]
        self.generic_parts = v["generic_parts"]
        self.materials = v["materials_generic"]
        self.steps = v["steps"]
        self.effects = v["effects"]
        self.design_variants = v["design_variants"]
        self.titles = v["titles"]
        self.status_text = v["legal_status_text"]
        self.tm_status_text = v["trademark_status_text"]
        self.agencies_local = v["agencies"]["local"]
        self.agencies_national = v["agencies"]["national"]
        self.agencies_trademark = v["agencies"]["trademark"]


@functools.cache
def _words() -> _Words:
    return _Words()


def _pick(seq, u: float):
    return seq[int(u * len(seq))]


class _People:
    """Chinese personal names from a hash (so the same key always gives the same person).

    Surnames by frequency and given names of one character (30%) or two (70%) come from
    precomputed tables, so a name costs two index operations.
    """

    def __init__(self, words: _Words):
        self.surnames = words.surname.table
        chars = words.given
        doubles = [a + b for a in chars for b in chars]
        singles = list(chars) * max(1, round(len(doubles) * 0.3 / 0.7 / len(chars)))
        self.given = tuple(doubles + singles)

    def name(self, h: int) -> str:
        return self.surnames[h & 4095] + self.given[(h >> 12) % len(self.given)]


class _Pool:
    """Applicants: a fixed local pool and a national pool computed from the rank.

    Members are tuples (name, address, topic index, county code or "", kind).
    """

    def __init__(self, seed: int, national_size: int):
        self.seed = seed
        self.w = _words()
        self.people = _People(self.w)
        self.national_size = max(national_size, len(NATIONAL_UNIVERSITY_RANKS) + 1)
        self._cache: dict[int, tuple] = {}
        self.local = self._build_local()
        unis = self.w.v["universities_national"]
        self.national_universities = {
            rank: (u["name"], u["address"], self.w.topic_names.index(u["topics"][0]), "", "university")
            for rank, u in zip(NATIONAL_UNIVERSITY_RANKS, unis, strict=False)
        }

    # -- local ---------------------------------------------------------------------------------
    def _build_local(self) -> list[tuple]:
        w = self.w
        rng = random.Random(_mix(self.seed ^ 0x10CA1))  # nosec B311  # seeded for repeatable synthetic records, not a secret
        _, _, counties, townships = _geography()
        county_pick = _county_picker()
        names: set[str] = set()
        members: list[tuple] = []
        unis = dict(zip(LOCAL_UNIVERSITY_RANKS, w.v["universities_local"], strict=False))
        while len(members) < LOCAL_POOL_SIZE:
            rank = len(members)
            if rank in unis:
                u = unis[rank]
                members.append((u["name"], u["address"], w.topic_names.index(u["topics"][0]), u["county"],
                                "university"))  # fmt: skip
                continue
            topic = w.topic_local(rng.random())
            county = county_pick(rng.random())
            county_name = counties[county]
            r = rng.random()
            if r < 0.35:
                prefix = "山西"
            elif r < 0.6:
                prefix = "晋中" if r < 0.45 else "晋中市"
            elif r < 0.88 and not county_name.endswith("区"):
                prefix = county_name
            else:
                prefix = ""
            trade = self._trade_name(rng)
            industry = _pick(w.topics[topic]["industries"], rng.random())
            name = f"{prefix}{trade}{industry}{w.legal_form(rng.random())}"
            if name in names:
                continue
            names.add(name)
            town = _pick(townships[county], rng.random()) if rng.random() < 0.5 else ""
            road = _pick(w.roads, rng.random())
            address = f"山西省晋中市{county_name}{town}{road}{rng.randint(1, 399)}号"
            members.append((name, address, topic, county, "enterprise"))
        return members

    def _trade_name(self, rng) -> str:
        chars = self.w.trade
        first = chars[int(rng.random() * len(chars))]
        second = chars[int(rng.random() * len(chars))]
        while second == first:
            second = chars[int(rng.random() * len(chars))]
        return first + second

    # -- national ------------------------------------------------------------------------------
    def national(self, rank: int) -> tuple:
        member = self._cache.get(rank)
        if member is None:
            member = self.national_universities.get(rank) or self._national_member(rank)
            if len(self._cache) > 50_000:  # bounded: the frequent ranks come back soon
                self._cache.clear()
            self._cache[rank] = member
        return member

    def _national_member(self, rank: int) -> tuple:
        w = self.w
        rng = random.Random(_mix(self.seed * 1_000_003 + rank))  # nosec B311  # seeded for repeatable synthetic records, not a secret
        _, places, _, _ = _geography()
        province, city, areas = places(rng.random())
        topic = w.topic_national(rng.random())
        r = rng.random()
        if not city:  # municipality
            prefix = _province_short(province) if r < 0.85 else ""
        elif r < 0.6 or province == "山西省":
            prefix = city
        elif r < 0.9:
            prefix = _province_short(province)
        else:
            prefix = ""
        industry = _pick(w.topics[topic]["industries"], rng.random())
        name = f"{prefix}{self._trade_name(rng)}{industry}{w.legal_form(rng.random())}"
        area = _pick(areas, rng.random()) if areas else ""
        address = f"{province}{city}{area}{_pick(w.roads, rng.random())}{rng.randint(1, 999)}号"
        return (name, address, topic, "", "enterprise")

    def individual(self, key: int, local: bool) -> tuple:
        """A person applying in their own name, with a home address."""
        h = _mix(self.seed * 7919 + key)
        w = self.w
        name = self.people.name(h)
        if local:
            _, _, counties, townships = _geography()
            county = _county_picker()((h >> 20 & 0xFFFF) / 65536)
            address = f"山西省晋中市{counties[county]}{_pick(w.roads, (h >> 40 & 0xFF) / 256)}{h % 200 + 1}号"
            return (name, address, w.topic_local((h >> 48 & 0xFFFF) / 65536), county, "individual")
        _, places, _, _ = _geography()
        province, city, areas = places((h >> 20 & 0xFFFF) / 65536)
        area = _pick(areas, (h >> 36 & 0xFF) / 256) if areas else ""
        address = f"{province}{city}{area}{_pick(w.roads, (h >> 44 & 0xFF) / 256)}{h % 300 + 1}号"
        return (name, address, w.topic_national((h >> 52 & 0xFFF) / 4096), "", "individual")


def _zipf_index(u: float, size: int, q: float = 10.0) -> int:
    """0-based rank with P(k) roughly proportional to 1/(k + q) over `size` members.

    The offset q (a Zipf-Mandelbrot law) keeps the very first ranks from owning a tenth of
    everything, as a pure 1/k law would; the top 1% still hold about 40%.
    """
    return min(int(q * ((size + q) / q) ** u - q), size - 1)


def _uscc(kind_prefix: str, county: str, h: int) -> str:
    """A unified social credit code: authority and type, county code, organisation code, check."""
    body = f"{h % 10**8:08d}"
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    org_check = 11 - total % 11
    org = body + {10: "X", 11: "0"}.get(org_check, str(org_check))
    first17 = f"{kind_prefix}{county}{org}"
    return first17 + check_character(first17)


def enterprises(seed: int = 0) -> list[dict]:
    """The local (Jinzhong) organisations of the applicant pool, as used by patents(seed=seed)."""
    pool = _Pool(seed, 1)
    words = _words()
    counties = jinzhong_counties()
    out, seen = [], set()
    for index, (name, address, topic, county, kind) in enumerate(pool.local):
        h = _mix(seed * 104_729 + index)
        code = _uscc("12" if kind == "university" else "91", county, h)
        while code in seen:
            h = _mix(h)
            code = _uscc("12" if kind == "university" else "91", county, h)
        seen.add(code)
        industry = "高等教育" if kind == "university" else words.topics[topic]["industries"][0]
        out.append({
            "name": name, "uscc": code, "region_code": county, "county": counties[county],
            "address": address, "industry": industry, "kind": kind,
        })  # fmt: skip
    return out


def _plus_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class _Serials:
    """Unique serial numbers per bucket: a counter advanced by a random stride."""

    def __init__(self, rng: random.Random, stride: int, spread: int, limit: int, what: str):
        self.rng, self.stride, self.spread, self.limit, self.what = rng, stride, spread, limit, what
        self.counters: dict = {}

    def next(self, bucket) -> int:
        value = self.counters.get(bucket)
        if value is None:
            value = int(self.rng.random() * self.spread)
        else:
            value += 1 + int(self.rng.random() * self.stride)
        if value >= self.limit:
            raise ValueError(f"too many {self.what} in {bucket} for the number space; use fewer records")
        self.counters[bucket] = value
        return value


def _filing_years(start_year: int, end_year: int, last_day: int):
    """A picker of filing years and {year: (first day, days available)}, as day ordinals.

    Filings grew about 17% a year until 2021, then levelled off; a year cut short by the data
    date counts for the part of it that is available.
    """
    weights, spans = [], {}
    for year in range(start_year, end_year + 1):
        first = date(year, 1, 1).toordinal()
        days = min(date(year + 1, 1, 1).toordinal(), last_day + 1) - first
        if days > 0:
            full = 366 if year % 4 == 0 else 365
            weights.append((year, 1.17 ** (min(year, 2021) - start_year) * days / full))
            spans[year] = (first, days)
    if not weights:
        raise ValueError("no filing days between start_year and the data date")
    return _Picker(weights), spans


def _stride_for(n: int, buckets: int, capacity: int) -> int:
    per_bucket = max(1, n // max(buckets, 1))
    return max(0, min(40, capacity // (per_bucket * 4) - 1))


@functools.cache
def _check_tables():
    """Check-digit remainders of the parts of a 12-digit application number.

    The weighted sum is linear, so check_digit() of each zero-padded part gives its share mod 11;
    adding the shares is much faster than summing twelve digits per record.
    """

    def rem(digits: str) -> int:
        c = check_digit(digits)
        return 10 if c == "X" else int(c)

    high = tuple(rem(f"00000{h:03d}0000") for h in range(1000))
    low = tuple(rem(f"00000000{lo:04d}") for lo in range(10000))
    return high, low


def patents(
    n: int, *, seed: int = 0, local_share: float = 0.3, start_year: int = 2005, end_year: int = 2025,
    as_of: date | None = None,
) -> Iterator[dict]:  # fmt: skip
    """Yield n synthetic patent records (dicts with the Patent field names).

    `as_of` is the day the data is taken (default 30 June of end_year): nothing is published
    after it, and the legal status is the one on that day.
    """
    if not 0 <= local_share <= 1:
        raise ValueError("local_share must be between 0 and 1")
    if start_year > end_year:
        raise ValueError("start_year must not be after end_year")
    if start_year < 2004:
        # Application numbers had 8 digits until October 2003; the generator writes the 12-digit form.
        raise ValueError("start_year must be 2004 or later")
    as_of = as_of or date(end_year, 6, 30)
    if as_of.year < start_year:
        raise ValueError("as_of must not be before start_year")
    as_of_ord = as_of.toordinal()
    last_filing = as_of_ord - 40
    rng = random.Random(seed)  # nosec B311  # seeded for repeatable synthetic records, not a secret
    r = rng.random
    w = _words()
    people = _People(w)
    person = people.name
    pool = _Pool(seed, max(500, min(n // 6, 3_000_000)))
    local_pool = pool.local
    local_size = len(local_pool)
    national = pool.national
    national_size = pool.national_size
    type_pick = _Picker(PATENT_TYPE_WEIGHTS)
    year_pick, year_start = _filing_years(start_year, min(end_year, as_of.year), last_filing)
    years = end_year - start_year + 1
    app_serials = _Serials(rng, _stride_for(n, years, 9_000_000), 20_000, 9_999_999, "applications").next
    pub_serials = _Serials(rng, _stride_for(n, years * 2, 900_000), 5_000, 999_999, "publications").next
    high, low = _check_tables()
    prefix_rem: dict[tuple[int, str], int] = {}
    individuals = max(50, n // 4)
    topic_codes = w.topic_codes
    all_codes = w.all_codes
    topic_local, topic_national = w.topic_local, w.topic_national
    texts = _TextMaker(w, r)
    type_digit = {"invention": "1", "utility": "2", "design": "3"}
    kind_digit = {"invention": ("1", "A"), "utility": ("2", "U"), "design": ("3", "S")}
    inventor_counts = (1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6)
    extra_ipc = (0, 0, 0, 1, 1, 1, 2, 2, 3, 3)
    agents_by_agency: dict[str, list[str]] = {}
    agencies_local, agencies_national = w.agencies_local, w.agencies_national
    status_text = w.status_text
    fromordinal = date.fromordinal

    for _ in range(n):
        ptype = type_pick(r())
        local = r() < local_share
        # Applicant
        if r() < INDIVIDUAL_SHARE[ptype]:
            member = pool.individual(int(r() * individuals), local)
        elif local:
            member = local_pool[_zipf_index(r(), local_size)]
        else:
            member = national(_zipf_index(r(), national_size))
        name, address, topic, county, kind = member
        if r() < 0.15:
            topic = (topic_local if local else topic_national)(r())
        applicants = [name]
        if kind != "individual" and r() < 0.12:
            if local and r() < 0.7:
                other = local_pool[_zipf_index(r(), local_size)]
            else:
                other = national(_zipf_index(r(), national_size))
            if other[0] != name:
                applicants.append(other[0])
        # Filing date (an ordinal day number until the record is built)
        year = year_pick(r())
        first, days = year_start[year]
        app = first + int(r() * days)
        if county == TAIGU and year < 2020 and r() < 0.6:
            address = address.replace("太谷区", "太谷县")
        # Application number: year, type digit, serial, check digit
        tdigit = type_digit[ptype]
        if ptype == "invention" and r() < 0.012:
            tdigit = "8"  # PCT application entering the national phase
        serial = app_serials((year, tdigit))
        rem = prefix_rem.get((year, tdigit))
        if rem is None:
            c = check_digit(f"{year}{tdigit}0000000")
            rem = prefix_rem[(year, tdigit)] = 10 if c == "X" else int(c)
        check = (rem + high[serial // 10000] + low[serial % 10000]) % 11
        application_number = f"{year}{tdigit}{serial:07d}.{'X' if check == 10 else check}"
        # Publication, grant and legal status
        status, status_key, pub, grant = _patent_dates(ptype, app, as_of_ord, r)
        pub_date = fromordinal(pub)
        pub_year = pub_date.year
        prefix, kind_code = kind_digit[ptype]
        publication_number = f"CN{prefix}{pub_year % 100:02d}{pub_serials((prefix, pub_year)):06d}{kind_code}"
        if grant is None:
            grant_number, grant_date = "", None
        elif ptype == "invention":
            grant_number, grant_date = publication_number[:-1] + "B", fromordinal(grant)
        else:
            grant_number, grant_date = publication_number, pub_date
        # IPC: the main group from the topic, up to three more mostly from the same topic.
        # Designs are classified in Locarno, not IPC: exports leave their IPC cells empty.
        if ptype == "design":
            main, ipc_codes = "", []
        else:
            main, ipc_codes = _ipc(topic_codes[topic], all_codes, extra_ipc, r)
        title, abstract, claims = texts.make(ptype, topic, main[:4])
        # Inventors; an individual applicant is the first inventor
        count = inventor_counts[int(r() * 12)]
        inventors = [name] if kind == "individual" else []
        while len(inventors) < count:
            someone = person(int(r() * M64))
            if someone not in inventors:
                inventors.append(someone)
        agency, agents = "", []
        if r() < (0.45 if kind == "individual" else 0.78):
            choices = agencies_local if (local and r() < 0.8) else agencies_national
            agency = choices[int(r() * len(choices))]
            staff = agents_by_agency.get(agency)
            if staff is None:
                h = _mix(seed * 31 + _hash_text(agency))
                staff = agents_by_agency[agency] = [person(_mix(h + i)) for i in range(2 + h % 5)]
            agents = [staff[int(r() * len(staff))]]
            if r() < 0.5:
                second = staff[int(r() * len(staff))]
                if second != agents[0]:
                    agents.append(second)
        if status == "unknown":
            text = ""
        else:
            choices = status_text[status_key]
            text = choices[int(r() * len(choices))]
        yield {
            "application_number": application_number,
            "application_date": fromordinal(app),
            "publication_number": publication_number,
            "publication_date": pub_date,
            "grant_number": grant_number,
            "grant_date": grant_date,
            "patent_type": ptype,
            "title": title,
            "abstract": abstract,
            "claims": claims,
            "applicants": applicants,
            "first_applicant": name,
            "inventors": inventors,
            "address": address,
            "ipc_codes": ipc_codes,
            "main_ipc": main,
            "legal_status": status,
            "legal_status_text": text,
            "agency": agency,
            "agents": agents,
        }


def _ipc(groups, all_codes, extra_counts, r):
    sub = groups[int(r() * len(groups))]
    main = sub[int(r() * len(sub))]
    codes = [main]
    for _ in range(extra_counts[int(r() * 10)]):
        if r() < 0.8:
            sub = groups[int(r() * len(groups))]
            code = sub[int(r() * len(sub))]
        else:
            code = all_codes[int(r() * len(all_codes))]
        if code not in codes:
            codes.append(code)
    return main, codes


def _hash_text(text: str) -> int:
    """A stable integer for a string (Python's hash() changes between processes)."""
    value = 0
    for char in text:
        value = (value * 1_000_003 + ord(char)) & M64
    return value


# Day-number arithmetic below: ordinals from date.toordinal(); ordinal 1 was a Monday.
_DESIGN_TERM_CHANGE = DESIGN_TERM_CHANGE.toordinal()


def _patent_dates(ptype, app, as_of, r):
    """(legal_status, status-text key, publication day, grant day or None) as of day `as_of`."""
    span = as_of - app
    if ptype == "invention":
        # Published 18 months after filing, earlier on request; never after the data date.
        delay = 548 if r() < 0.6 else 90 + int(r() * 400)
        if delay > span:
            delay = min(span, 90 + int(r() * max(span - 90, 1)))
        pub = _tuesday(app + delay, as_of)
        outcome = r()
        if outcome < 0.55:
            decided = max(app + 700 + int(r() * 900), pub + 60)
            if decided > as_of:
                return "pending", "pending", pub, None
            grant = _tuesday(decided, as_of)
            status, key = _in_force(grant, app, 20, as_of, r, 0.45)
            return status, key, pub, grant
        if app + 800 + int(r() * 1000) > as_of:
            return "pending", "pending", pub, None
        return "invalid", ("rejected" if outcome < 0.72 else "withdrawn"), pub, None
    # Utility models and designs are published when granted.
    delay = (120 + int(r() * 240)) if ptype == "utility" else (90 + int(r() * 210))
    grant = _tuesday(app + min(delay, span), as_of)
    term = 10 if ptype == "utility" or app < _DESIGN_TERM_CHANGE else 15
    status, key = _in_force(grant, app, term, as_of, r, 0.65)
    if r() < 0.004:
        status, key = "unknown", "pending"
    return status, key, grant, grant


def _in_force(grant, app, term, as_of, r, lapse_share):
    if _plus_years(date.fromordinal(app), term).toordinal() <= as_of:
        return "invalid", "expired"
    if r() < lapse_share and grant + 365 * (1 + int(r() * (term - 2))) + 120 <= as_of:
        return "invalid", "lapsed"
    return "valid", "granted"


def _tuesday(day: int, limit: int) -> int:
    """Gazettes appear on Tuesdays: the next Tuesday, or the last one before `limit`."""
    day += (2 - day % 7) % 7  # ordinal % 7 == 2 is a Tuesday
    while day > limit:
        day -= 7
    return day


class _TextMaker:
    """Titles, abstracts and main claims, built from a topic's words and the shared templates."""

    def __init__(self, w: _Words, r):
        self.w, self.r = w, r
        self.topics = w.topics
        self.styles = [_Picker(t["styles"].items()) for t in w.topics]

    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    def make(self, ptype, topic, subclass=""):
        # Choices are written out as seq[int(r() * len(seq))]: a method call per word would
        # cost a fifth of the generator's time.
        r, w = self.r, self.w
        t = self.topics[topic]
        parts, generic = t["parts"], w.generic_parts
        p1 = parts[int(r() * len(parts))]
        p2 = generic[int(r() * len(generic))]
        p3 = parts[int(r() * len(parts))]
        if p3 == p1:
            p3 = generic[int(r() * len(generic))]
        purposes = t["purposes"]
        purpose = purposes[int(r() * len(purposes))]
        if ptype == "design":
            things, variants = t["design"], w.design_variants
            thing = things[int(r() * len(things))]
            title = thing if r() < 0.5 else f"{thing}（{variants[int(r() * len(variants))]}）"
            use = purpose if r() < 0.5 else self.pick(t["processes"])
            point = "形状" if r() < 0.5 else "形状与图案的结合"
            abstract = (
                f"1．本外观设计产品的名称：{title}。2．本外观设计产品的用途：本外观设计产品用于{use}。"
                f"3．本外观设计产品的设计要点：在于{point}。4．最能表明设计要点的图片或照片：立体图。"
            )
            return title, abstract, ""
        words = _Fill(self, t, purpose, p1, subclass)
        if ptype == "utility":
            style, kind_word, templates = "device", "实用新型", w.titles["utility"]
        else:
            style = self.styles[topic](r())
            kind_word, templates = "发明", w.titles[f"invention_{style}"]
        core = templates[int(r() * len(templates))].format_map(words)
        bare = core.startswith("基于") or (style == "system" and r() < 0.7)
        title = core if bare else "一种" + core
        effects = w.effects
        effect, effect2 = effects[int(r() * len(effects))], effects[int(r() * len(effects))]
        if style == "device":
            abstract = (
                f"本{kind_word}公开了一种{core}，包括{p1}、{p2}和{p3}，所述{p1}的一侧设置有{p2}，"
                f"所述{p3}与{p2}固定连接。通过{p3}的设置，{effect}。本{kind_word}结构合理，{effect2}，"
                f"适用于{purpose}。"
            )
            claims = (
                f"1.一种{core}，其特征在于：包括{p1}、{p2}和{p3}，所述{p1}的一侧设置有{p2}，"
                f"所述{p3}与{p2}固定连接，所述{p2}上安装有{generic[int(r() * len(generic))]}。"
            )
        elif style == "method":
            steps = w.steps
            m1 = self.pick(w.materials)
            s1, s2, s3 = (steps[int(r() * len(steps))] for _ in range(3))
            product = words["product"]
            abstract = (
                f"本发明公开了一种{core}，包括以下步骤：S1、将原料与{m1}混合后进行{s1}处理；"
                f"S2、在{40 + int(r() * 80)}℃下{s2}{1 + int(r() * 12)}h；S3、经{s3}后得到{product}。"
                f"本发明{effect}，{effect2}，适用于{purpose}，具有良好的应用前景。"
            )
            claims = (
                f"1.一种{core}，其特征在于，包括以下步骤：S1、将原料与{m1}按质量比1:{1 + int(r() * 9)}"
                f"混合后进行{s1}处理；S2、{s2}；S3、{s3}，得到{product}。"
            )
        else:
            modules = w.modules
            m1, m2, m3 = (modules[int(r() * len(modules))] for _ in range(3))
            tech, process = words["tech"], words["process"]
            abstract = (
                f"本发明公开了一种{core}，涉及{tech}技术领域。该方法包括：获取{purpose}相关的监测数据；"
                f"通过{m1}对数据进行预处理；利用{tech}模型进行{process}；由{m2}输出结果并通过{m3}进行反馈。"
                f"本发明{effect}，{effect2}。"
            )
            claims = (
                f"1.一种{core}，其特征在于，包括：获取监测数据；对所述监测数据进行预处理；"
                f"基于{tech}模型对预处理后的数据进行{process}，得到处理结果；根据所述处理结果生成控制指令。"
            )
        return title, abstract, claims


class _Fill(dict):
    """Template values drawn only when a template asks for them.

    The device or product named mostly fits the main IPC subclass when the vocabulary says
    which words belong to it (devices_by_subclass, products_by_subclass).
    """

    def __init__(self, maker: _TextMaker, t: dict, purpose: str, part: str, subclass: str):
        super().__init__(purpose=purpose, part=part)
        self.maker, self.t, self.subclass = maker, t, subclass

    def __missing__(self, key):
        w, t, pick, r = self.maker.w, self.t, self.maker.pick, self.maker.r
        if key in ("device", "product"):
            fitting = t.get(f"{key}s_by_subclass", {}).get(self.subclass)
            value = pick(fitting if fitting and r() < 0.85 else t[f"{key}s"])
        elif key == "adj":
            value = pick(w.adjectives)
        elif key == "feature":
            value = pick(w.features)
        elif key == "useverb":
            value = pick(w.useverbs)
        elif key == "tech":
            value = pick(w.tech)
        elif key == "process":
            value = pick(t["processes"])
        else:
            raise KeyError(key)
        self[key] = value
        return value


# -- trademarks -----------------------------------------------------------------------------------

# Approximate first registration number of each application year (7 digits early, then 8).
TRADEMARK_NUMBER_BASE = {
    2000: 1_400_000, 2001: 1_900_000, 2002: 2_500_000, 2003: 3_300_000, 2004: 3_900_000,
    2005: 4_400_000, 2006: 5_100_000, 2007: 5_800_000, 2008: 6_500_000, 2009: 7_200_000,
    2010: 8_000_000, 2011: 9_100_000, 2012: 10_500_000, 2013: 12_000_000, 2014: 13_800_000,
    2015: 16_000_000, 2016: 18_800_000, 2017: 22_500_000, 2018: 28_000_000, 2019: 35_500_000,
    2020: 43_000_000, 2021: 52_000_000, 2022: 61_000_000, 2023: 70_000_000, 2024: 77_000_000,
    2025: 83_000_000, 2026: 89_000_000,
}  # fmt: skip


@functools.cache
def _pinyin_of() -> dict[str, str]:
    from pypinyin import lazy_pinyin

    chars = set(vocabulary()["mark_chars"]) | set("".join(vocabulary()["mark_suffixes"]))
    return {c: lazy_pinyin(c)[0] for c in chars}


class _Marks:
    """Mark names: Chinese, pinyin and Latin words; a Zipf pool of popular marks to imitate."""

    def __init__(self, seed: int):
        v = vocabulary()
        self.seed = seed
        self.chars = v["mark_chars"]
        self.suffixes = v["mark_suffixes"]
        self.syllables = v["latin_syllables"]
        self.endings = v["latin_endings"]
        self.pinyin = _pinyin_of()

    def chinese(self, h: int) -> str:
        chars = self.chars
        size = 2 + (h % 10 < 3)
        out = "".join(chars[(h >> (8 + 8 * i)) % len(chars)] for i in range(size))
        if (h >> 40) % 10 == 0:
            out += self.suffixes[(h >> 44) % len(self.suffixes)]
        return out

    def latin(self, h: int) -> str:
        syl = self.syllables
        word = syl[h % len(syl)] + syl[(h >> 8) % len(syl)]
        if (h >> 16) % 2:
            word += syl[(h >> 20) % len(syl)]
        word += self.endings[(h >> 28) % len(self.endings)]
        return word.capitalize() if (h >> 36) % 3 else word.upper()

    def to_pinyin(self, text: str) -> str:
        return "".join(self.pinyin.get(c, "") for c in text).upper()

    def make(self, h: int) -> str:
        style = (h >> 50) % 20
        if style < 10:
            return self.chinese(h)
        if style < 13:
            return self.to_pinyin(self.chinese(h)) or self.latin(h)
        if style < 17:
            return self.latin(h)
        base = self.chinese(h)
        return f"{base} {self.to_pinyin(base)}" if style < 19 else f"{base}{self.latin(_mix(h))}"

    def variant(self, mark: str, h: int) -> str:
        """A near-duplicate of a mark, as competitors and squatters file them."""
        if " " in mark:  # "金穗 JINSUI": vary the Chinese part, keep the pinyin in step
            chinese = self.variant(mark.split(" ", 1)[0], h)
            return f"{chinese} {self.to_pinyin(chinese)}" if chinese.isascii() is False else chinese
        style = h % 6
        if style == 0:
            return mark
        if style == 1 and not mark.isascii():
            return mark + self.suffixes[(h >> 8) % len(self.suffixes)]
        if style == 2 and len(mark) >= 2 and not mark.isascii():
            i = (h >> 8) % len(mark)
            return mark[:i] + self.chars[(h >> 16) % len(self.chars)] + mark[i + 1 :]
        if style == 3 and not mark.isascii():
            return f"{mark} {self.to_pinyin(mark)}".strip()
        if style == 4:
            return mark + "及图"
        if mark.isascii():
            return mark[:-1] + ("E" if mark[-1:].isupper() else "e") if len(mark) > 3 else mark + "X"
        return "新" + mark if (h >> 20) % 2 else mark + "牌"


def trademarks(
    n: int, *, seed: int = 0, local_share: float = 0.3, start_year: int = 2005, end_year: int = 2025,
    as_of: date | None = None,
) -> Iterator[dict]:  # fmt: skip
    """Yield n synthetic trademark records (dicts with the Trademark field names)."""
    if not 0 <= local_share <= 1:
        raise ValueError("local_share must be between 0 and 1")
    if start_year < min(TRADEMARK_NUMBER_BASE) or end_year > max(TRADEMARK_NUMBER_BASE) - 1:
        first, last = min(TRADEMARK_NUMBER_BASE), max(TRADEMARK_NUMBER_BASE) - 1
        raise ValueError(f"trademark years must lie in {first}..{last}")
    as_of = as_of or date(end_year, 6, 30)
    as_of_ord = as_of.toordinal()
    rng = random.Random(_mix(seed ^ 0x7A0E))  # nosec B311  # seeded for repeatable synthetic records, not a secret
    r = rng.random
    w = _words()
    v = w.v
    pool = _Pool(seed, max(500, min(n // 5, 3_000_000)))
    marks = _Marks(seed)
    local_size = len(pool.local)
    table = trademark_groups()
    class_national = _Picker((int(k), x) for k, x in v["nice_weights"].items())
    local_weights = {int(k): x for k, x in v["nice_weights"].items()}
    local_weights.update({int(k): x for k, x in v["nice_weights_local"].items()})
    class_local = _Picker(local_weights.items())
    topic_classes = [t["nice_classes"] for t in w.topics]
    year_pick, year_start = _filing_years(start_year, min(end_year, as_of.year), as_of_ord - 20)
    counters: dict[int, int] = {}
    years = end_year - start_year + 1
    popular = max(50, n // 40)
    individuals = max(50, n // 3)
    status_text = w.tm_status_text

    for _ in range(n):
        local = r() < local_share
        if r() < 0.22:
            member = pool.individual(int(r() * individuals) + 10**9, local)
        elif local:
            member = pool.local[_zipf_index(r(), local_size)]
        else:
            member = pool.national(_zipf_index(r(), pool.national_size))
        applicant, address, topic, county, kind = member
        if kind != "individual" and r() < 0.7:
            classes_of_topic = topic_classes[topic]
            nice = classes_of_topic[int(r() * len(classes_of_topic))]
        else:
            nice = (class_local if local else class_national)(r())
        # Mark: the applicant's house mark, an imitation of a popular mark, or a new one.
        u = r()
        if u < 0.35:
            mark = marks.make(_mix(seed * 131 + _hash_text(applicant)))
        elif u < 0.55:
            base = marks.make(_mix(seed * 137 + _zipf_index(r(), popular)))
            mark = marks.variant(base, int(r() * M64))
        else:
            mark = marks.make(int(r() * M64))
        # Groups and goods of the class
        groups = table[nice]
        chosen = [_pick(groups, r())]
        for _ in range(int(r() * 3)):
            group = _pick(groups, r())
            if group not in chosen:
                chosen.append(group)
        goods: list[str] = []
        for _, items in chosen:
            for _ in range(1 + int(r() * 4)):
                item = _pick(items, r())
                if item not in goods:
                    goods.append(item)
        # Dates, number and status
        year = year_pick(r())
        first, days = year_start[year]
        app_date = date.fromordinal(first + int(r() * days))
        if county == TAIGU and year < 2020 and r() < 0.6:
            address = address.replace("太谷区", "太谷县")
        base = TRADEMARK_NUMBER_BASE[year]
        room = TRADEMARK_NUMBER_BASE[year + 1] - base
        stride = max(0, min(30, room // (max(1, n // years) * 4) - 1))
        value = counters.get(year)
        value = int(r() * 1000) if value is None else value + 1 + int(r() * stride)
        if value >= room:
            raise ValueError(f"too many trademarks in {year} for the number space; use fewer records")
        counters[year] = value
        pub = reg = expiry = None
        exam = 150 + int(r() * 150) if year >= 2015 else 270 + int(r() * 360)
        decided = app_date + timedelta(days=exam)
        outcome = r()
        if decided > as_of:
            status, key = "pending", "pending"
        elif outcome < 0.27:
            status, key = "invalid", "rejected"
        else:
            pub = decided
            reg_day = pub + timedelta(days=91 + int(r() * 14))
            if reg_day > as_of:
                status, key = "published", "published"
            else:
                reg = reg_day
                expiry = _plus_years(reg, 10) - timedelta(days=1)
                if expiry < as_of:
                    status, key = "invalid", "expired"
                elif r() < 0.03:
                    status, key = "invalid", "cancelled"
                else:
                    status, key = "registered", "registered"
        agency = _pick(w.agencies_trademark, r()) if r() < 0.7 else ""
        yield {
            "registration_number": str(base + value),
            "name": mark,
            "nice_class": nice,
            "similar_groups": sorted(code for code, _ in chosen),
            "goods": ";".join(goods),
            "application_date": app_date,
            "publication_date": pub,
            "registration_date": reg,
            "expiry_date": expiry,
            "applicants": [applicant],
            "first_applicant": applicant,
            "address": address,
            "agency": agency,
            "status": status,
            "status_text": _pick(status_text[key], r()),
        }


# -- writers --------------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def patent_row(record: dict) -> list[str]:
    row = []
    for _, field in PATENT_HEADERS:
        value = record.get(field)
        row.append(PATENT_TYPE_LABELS.get(value, value) if field == "patent_type" else _cell(value))
    return row


def trademark_row(record: dict) -> list[str]:
    expiry = record.get("expiry_date")
    term = f"{record['registration_date'].isoformat()}至{expiry.isoformat()}" if expiry else ""
    return [
        record["registration_number"], record["name"], str(record["nice_class"]),
        _cell(record.get("similar_groups")), record.get("goods", ""), _cell(record.get("application_date")),
        _cell(record.get("publication_date")), _cell(record.get("registration_date")), term,
        _cell(record.get("applicants")), record.get("address", ""), record.get("agency", ""),
        record.get("status_text", ""),
    ]  # fmt: skip


def _write_table(path, headers, rows: Iterable[list[str]], fmt: str) -> int:
    count = 0
    if fmt == "csv":
        # UTF-8 with BOM, as Chinese patent databases export (Excel opens it correctly).
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(row)
                count += 1
        return count
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(headers))
        for row in rows:
            sheet.append(row)
            count += 1
        book.save(path)
        return count
    raise ValueError(f"unknown format {fmt!r}: csv or xlsx")


def write_patent_table(path, records: Iterable[dict], fmt: str = "csv") -> int:
    """Write patent records with the Chinese export headers; returns the number of rows."""
    return _write_table(path, [h for h, _ in PATENT_HEADERS], map(patent_row, records), fmt)


def write_trademark_table(path, records: Iterable[dict], fmt: str = "csv") -> int:
    """Write trademark records with the Chinese headers; returns the number of rows."""
    return _write_table(path, list(TRADEMARK_HEADERS), map(trademark_row, records), fmt)


def write_enterprises(path, rows: Iterable[dict]) -> int:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ENTERPRISE_FIELDS)
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
