"""Routing rules from a CSV file: case_type,region_code,ip_type,service_code,agency[,agency_region,priority].

The rule's key is (case_type, region, ip_type, service); reloading the same file changes
nothing. The agency is named; agency_region (a region code) tells apart two of one name.
"""

from __future__ import annotations

from django.db import transaction

from zhichan.agencies.models import Agency
from zhichan.cases.models import CaseType, IPType, RoutingRule
from zhichan.catalog.models import ServiceItem
from zhichan.core.dataload import DataFileError, LineError, LoadResult, read_csv, save_if_changed
from zhichan.regions.models import Region

ROUTING_COLUMNS = [
    "case_type",
    "region_code",
    "ip_type",
    "service_code",
    "agency",
    "agency_region",
    "priority",
]
REQUIRED = ["case_type", "region_code", "ip_type", "service_code", "agency"]


def load_routing_rules(path) -> LoadResult:
    rows = read_csv(path, REQUIRED)
    regions = {r.code: r for r in Region.objects.all()}
    items = {i.code: i for i in ServiceItem.objects.all()}
    errors, parsed, seen = [], [], {}
    for line, row in rows:
        bad = len(errors)
        case_type = row["case_type"]
        if case_type not in CaseType.values:
            errors.append(
                LineError(line, "case_type", f"{case_type!r} is not one of {', '.join(CaseType.values)}")
            )
        region = None
        if row["region_code"]:
            region = regions.get(row["region_code"])
            if region is None:
                errors.append(LineError(line, "region_code", f"unknown region {row['region_code']}"))
        ip_type = row["ip_type"]
        if ip_type and ip_type not in IPType.values:
            errors.append(LineError(line, "ip_type", f"{ip_type!r} is not one of {', '.join(IPType.values)}"))
        item = None
        if row["service_code"]:
            item = items.get(row["service_code"])
            if item is None:
                errors.append(LineError(line, "service_code", f"unknown service {row['service_code']}"))
        agencies = Agency.objects.filter(name=row["agency"])
        if row.get("agency_region"):
            agencies = agencies.filter(region__code=row["agency_region"])
        found = list(agencies[:2])
        if len(found) != 1:
            problem = (
                "no agency of this name" if not found else "two agencies of this name: give agency_region"
            )
            errors.append(LineError(line, "agency", f"{row['agency']}: {problem}"))
        priority = 0
        if row.get("priority"):
            try:
                priority = int(row["priority"])
            except ValueError:
                errors.append(LineError(line, "priority", f"{row['priority']!r} is not a whole number"))
        if len(errors) > bad:
            continue
        key = (case_type, region.pk if region else None, ip_type, item.pk if item else None)
        if key in seen:
            errors.append(LineError(line, "", f"the same rule as line {seen[key]}"))
            continue
        seen[key] = line
        parsed.append(
            (
                {"case_type": case_type, "region": region, "ip_type": ip_type, "service_item": item},
                {"agency": found[0], "priority": priority},
            )
        )
    if errors:
        raise DataFileError(path, errors)
    result = LoadResult()
    with transaction.atomic():
        for lookup, values in parsed:
            save_if_changed(RoutingRule, lookup, values, result, audit=True)
    return result
