"""Linking records to the city: a county from the applicant's address, enterprises from the
applicants (by unified social credit code when the record carries one, else by normalised name).

Place names are derived from the city's regions, so another city's bundle needs no code: a
county's full name ("太谷区"), its short form ("太谷"; only where two characters remain, so "祁县"
has none), the older names of districts and county-level cities ("太谷县", "榆次市" for a 区;
"介休县" for a 市), and park names (which belong to their county).

Only addresses in this city are linked: an address that starts with another province or a
place that is not one of the city's counties gets no county, even if a county name of this city
happens to appear further on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhichan.enterprises.models import Enterprise
from zhichan.enterprises.names import is_organisation, normalize_name
from zhichan.regions.models import Region, RegionKind

# Province-level divisions by their short names (the full name adds 省, 市, 自治区 or 特别行政区).
PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
    "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门",
)  # fmt: skip
PROVINCE_SUFFIX = re.compile(r"^(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)")
# A short county name followed by one of these is a street name ("和顺路"), not the county.
STREET_WORDS = ("路", "街", "大街", "大道", "巷", "胡同", "道")
_NOISE = re.compile(r"[\s\u3000]+")
_LEADING = re.compile(r"^(?:\d{6}|中华人民共和国|中国|[,，:：;；])+")
_CACHE_LIMIT = 20000


@dataclass(frozen=True)
class Alias:
    text: str
    county_id: int
    weak: bool  # a short form: not taken when a street word follows


def _short(name: str, suffix: str) -> str:
    return name[: -len(suffix)] if name.endswith(suffix) else ""


def county_aliases(counties, parks) -> list[Alias]:
    """Every name a county goes by, longest first; a name two counties share is left out."""
    found: dict[str, Alias] = {}
    clashes: set[str] = set()

    def add(text, county_id, weak=False):
        if len(text) < 2:
            return
        if text in found and found[text].county_id != county_id:
            clashes.add(text)
        elif text not in found or (found[text].weak and not weak):
            found[text] = Alias(text, county_id, weak)

    for county in counties:
        name = county.name
        add(name, county.pk)
        for suffix, older in (("区", ("县", "市")), ("市", ("县",)), ("县", ())):
            stem = _short(name, suffix)
            if stem:
                add(stem, county.pk, weak=True)
                for old in older:
                    add(stem + old, county.pk)
    for park in parks:
        add(park.name, park.parent_id)
    return sorted((a for t, a in found.items() if t not in clashes), key=lambda a: -len(a.text))


class CountyFinder:
    """The county (Region) of an address in the city, or None."""

    def __init__(self, city: Region | None):
        self.city = city
        self.counties: dict[int, Region] = {}
        self.aliases: list[Alias] = []
        self.city_names: tuple[str, ...] = ()
        self.province = ""
        self._cache: dict[str, int | None] = {}
        if city is None:
            return
        counties = list(Region.objects.filter(parent=city, kind=RegionKind.COUNTY))
        parks = list(Region.objects.filter(parent__in=counties, kind=RegionKind.PARK))
        self.counties = {c.pk: c for c in counties}
        self.aliases = county_aliases(counties, parks)
        short = _short(city.name, "市") or _short(city.name, "地区") or _short(city.name, "盟")
        self.city_names = tuple(n for n in (city.name, short) if n)
        province = city.parent.name if city.parent_id else ""
        self.province = next((p for p in PROVINCES if province.startswith(p)), "")

    def _alias_at_start(self, text: str) -> Alias | None:
        for alias in self.aliases:
            if text.startswith(alias.text):
                rest = text[len(alias.text) :]
                if alias.weak and rest.startswith(STREET_WORDS):
                    continue
                return alias
        return None

    def _alias_anywhere(self, text: str) -> Alias | None:
        best = None
        for alias in self.aliases:
            if alias.weak:
                continue
            at = text.find(alias.text)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, alias)
        return best[1] if best else None

    def county_id(self, address: str) -> int | None:
        text = _LEADING.sub("", _NOISE.sub("", str(address or "")))
        if not text or not self.aliases:
            return None
        if text in self._cache:
            return self._cache[text]
        found = self._find(text)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = found
        return found

    def _find(self, text: str) -> int | None:
        province = next((p for p in PROVINCES if text.startswith(p)), None)
        if province is not None:
            if province != self.province:
                return None  # another province (or a municipality)
            text = PROVINCE_SUFFIX.sub("", text[len(province) :])
        alias = self._alias_at_start(text)
        if alias is not None:
            return alias.county_id
        city = next((n for n in self.city_names if text.startswith(n)), None)
        if city is None:
            return None  # starts with a place that is not this city's
        text = text[len(city) :]
        alias = self._alias_at_start(text) or self._alias_anywhere(text)
        return alias.county_id if alias else None

    def county(self, address: str) -> Region | None:
        pk = self.county_id(address)
        return self.counties.get(pk) if pk else None


@dataclass
class Link:
    region_id: int | None  # None: no county found
    enterprise_ids: list[int]
    region_known: bool = True  # False: the record carries no address, leave the stored county alone
    enterprises_known: bool = True  # False: the record carries no applicants


@dataclass(frozen=True)
class Candidate:
    """A local organisation named as a record's first applicant (the address is the first one's)."""

    normal: str
    name: str
    uscc: str | None
    county_id: int
    address: str


class Linker:
    """Links a batch of records at a time: two queries for the enterprises.

    New local enterprises are registered before the batches (`register`, from a first pass over
    the file), so that a record's links do not depend on which rows came before it: importing the
    same file again finds the same links.
    """

    def __init__(self, city: Region | None = None):
        if city is None:
            from zhichan.portal.context import current_city

            city = current_city()
        self.finder = CountyFinder(city)
        self.created = 0

    def candidate(self, record: dict) -> Candidate | None:
        """The record's first applicant when it is an organisation at an address in this city."""
        names = record.get("applicants") or []
        if not names:
            return None
        codes = record.get("applicant_uscc") or []
        code = codes[0] if codes else None
        if code is None and not is_organisation(names[0]):
            return None
        address = record.get("address") or ""
        county = self.finder.county_id(address)
        normal = normalize_name(names[0])
        if county is None or not normal:
            return None
        return Candidate(normal[:200], names[0][:200], code, county, address[:300])

    def register(self, candidates, chunk: int = 1000) -> int:
        """Create the candidates that are not registered yet (by code, else by normalised name)."""
        pending = list(candidates)
        created = 0
        for start in range(0, len(pending), chunk):
            part = pending[start : start + chunk]
            codes = {c.uscc for c in part if c.uscc}
            known_codes = set(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", flat=True))
            known_names = set(
                Enterprise.objects.filter(normalized_name__in={c.normal for c in part}).values_list(
                    "normalized_name", flat=True
                )
            )
            new, seen_codes, seen_names = [], set(), set()
            for c in part:
                if c.uscc and (c.uscc in known_codes or c.uscc in seen_codes):
                    continue
                if not c.uscc and (c.normal in known_names or c.normal in seen_names):
                    continue
                seen_names.add(c.normal)
                if c.uscc:
                    seen_codes.add(c.uscc)
                new.append(
                    Enterprise(
                        name=c.name,
                        normalized_name=c.normal,
                        uscc=c.uscc,
                        region_id=c.county_id,
                        address=c.address,
                    )
                )
            Enterprise.objects.bulk_create(new)
            created += len(new)
        self.created += created
        return created

    def link(self, records: list[dict]) -> list[Link]:
        # (record index, normalised name, code) of every applicant that may be an enterprise
        wanted = []
        for i, record in enumerate(records):
            names = record.get("applicants") or []
            codes = record.get("applicant_uscc") or []
            for position, name in enumerate(names):
                code = codes[position] if position < len(codes) else None
                if code is None and not is_organisation(name):
                    continue  # a person: not an enterprise
                wanted.append((i, normalize_name(name), code))
        codes = {w[2] for w in wanted if w[2]}
        names = {w[1] for w in wanted if w[1]}
        by_code = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)} if codes else {}
        by_name: dict[str, Enterprise] = {}
        if names:
            for enterprise in Enterprise.objects.filter(normalized_name__in=names).order_by("pk"):
                by_name.setdefault(enterprise.normalized_name, enterprise)

        chosen: list[list[Enterprise]] = [[] for _ in records]
        for i, normal, code in wanted:
            enterprise = by_code.get(code) if code else None
            if enterprise is None and normal in by_name:
                candidate = by_name[normal]
                # The same name with another code is another enterprise.
                if not (code and candidate.uscc and candidate.uscc != code):
                    enterprise = candidate
            if enterprise is not None and enterprise not in chosen[i]:
                chosen[i].append(enterprise)

        links = []
        for i, record in enumerate(records):
            region_id = self.finder.county_id(record.get("address", ""))
            has_address = "address" in record
            if region_id is None and not (record.get("address") or "").strip():
                # No address: the first applicant's enterprise tells the county, if it has one.
                first = chosen[i][0] if chosen[i] else None
                if first is not None and first.region_id:
                    region_id = self._county_of(first.region_id)
                    has_address = True
            links.append(
                Link(
                    region_id=region_id,
                    enterprise_ids=sorted({e.pk for e in chosen[i]}),
                    region_known=has_address,
                    enterprises_known="applicants" in record,
                )
            )
        return links

    def _county_of(self, region_id: int) -> int | None:
        if region_id in self.finder.counties:
            return region_id
        region = Region.objects.filter(pk=region_id).select_related("parent").first()
        county = region.county if region else None
        return county.pk if county else None
