"""Coverage of the network: which functions each county and park has an operating outlet for.

A county is covered by operating agencies in its own subtree (the county and its parks);
city-level agencies are reported on their own row and do not fill county gaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhichan.agencies.models import Agency, Function, Status
from zhichan.regions.models import Region, RegionKind


@dataclass
class Outlet:
    id: int
    name: str
    level: str
    level_label: str
    type: str


@dataclass
class Cell:
    function: str
    label: str
    outlets: list[Outlet] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.outlets)

    @property
    def levels(self) -> list[str]:
        return sorted({o.level for o in self.outlets}, key=["city", "county", "park"].index)

    @property
    def level_counts(self) -> list[tuple[str, str, int]]:
        """(level, label, number of outlets) for each level present, city first."""
        labels = {o.level: o.level_label for o in self.outlets}
        return [(lv, labels[lv], sum(1 for o in self.outlets if o.level == lv)) for lv in self.levels]


@dataclass
class Row:
    region: Region
    cells: list[Cell]

    @property
    def missing(self) -> list[str]:
        return [c.function for c in self.cells if not c.covered]

    @property
    def covered_count(self) -> int:
        return sum(1 for c in self.cells if c.covered)


@dataclass
class Coverage:
    city: Region | None
    city_row: Row | None
    rows: list[Row]

    @property
    def total(self) -> int:
        return sum(len(r.cells) for r in self.rows)

    @property
    def covered(self) -> int:
        return sum(r.covered_count for r in self.rows)

    @property
    def percent(self) -> float:
        return round(100.0 * self.covered / self.total, 1) if self.total else 0.0

    @property
    def functions(self):
        return list(Function.choices)


def _row(region: Region, region_ids: list[int], by_region: dict[int, list[Agency]]) -> Row:
    agencies = [a for rid in region_ids for a in by_region.get(rid, [])]
    cells = []
    for value, label in Function.choices:
        outlets = [
            Outlet(a.pk, a.display_name, a.level, a.get_level_display(), a.type)
            for a in agencies
            if value in a.function_codes
        ]
        cells.append(Cell(value, str(label), outlets))
    return Row(region, cells)


def compute_coverage(city: Region | None = None) -> Coverage:
    if city is None:
        from zhichan.portal.context import current_city

        city = current_city()
    if city is None:
        return Coverage(None, None, [])
    subtree = city.subtree_ids()
    # Coverage is a public figure: only operating agencies count, whoever asks.
    agencies = Agency.objects.filter(status=Status.OPERATING, region_id__in=subtree).prefetch_related(
        "functions"
    )
    by_region: dict[int, list[Agency]] = {}
    for agency in agencies.order_by("level", "name"):
        by_region.setdefault(agency.region_id, []).append(agency)
    regions = list(
        Region.objects.filter(pk__in=subtree)
        .exclude(pk=city.pk)
        .select_related("parent")
        .order_by("sort", "code")
    )
    children: dict[int, list[int]] = {}
    for region in regions:
        if region.parent_id:
            children.setdefault(region.parent_id, []).append(region.pk)
    rows = []
    for region in regions:
        if region.kind == RegionKind.COUNTY:
            rows.append(_row(region, [region.pk, *children.get(region.pk, [])], by_region))
            for park in regions:
                if park.parent_id == region.pk and park.kind == RegionKind.PARK:
                    rows.append(_row(park, [park.pk], by_region))
    # Parks directly under the city.
    for park in regions:
        if park.kind == RegionKind.PARK and park.parent_id == city.pk:
            rows.append(_row(park, [park.pk], by_region))
    return Coverage(city, _row(city, [city.pk], by_region), rows)


def coverage_as_dict(coverage: Coverage) -> dict:
    def row(r: Row):
        return {
            "region_code": r.region.code,
            "region_name": r.region.name,
            "kind": r.region.kind,
            "parent_code": r.region.parent.code if r.region.parent_id else None,
            "functions": [
                {
                    "function": c.function,
                    "covered": c.covered,
                    "outlets": [{"id": o.id, "name": o.name, "level": o.level} for o in c.outlets],
                }
                for c in r.cells
            ],
            "missing": r.missing,
        }

    return {
        "city_code": coverage.city.code if coverage.city else None,
        "city": row(coverage.city_row) if coverage.city_row else None,
        "regions": [row(r) for r in coverage.rows],
        "covered_cells": coverage.covered,
        "total_cells": coverage.total,
        "percent": coverage.percent,
    }
