"""Which agency owns a new case: routing rules as data, the most specific match wins."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhichan.agencies.models import Agency, AgencyType, Level
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.cases.models import RoutingRule


def _ancestors(region) -> list[int]:
    ids, node, seen = [], region, set()
    while node is not None and node.pk not in seen:
        ids.append(node.pk)
        seen.add(node.pk)
        node = node.parent
    return ids


def specificity(rule: RoutingRule, depth: dict[int, int]) -> tuple:
    """Service item outweighs region, region outweighs IP type; a deeper region is more specific."""
    return (
        rule.service_item_id is not None,
        depth.get(rule.region_id, -1) if rule.region_id else -1,
        bool(rule.ip_type),
        rule.priority,
        -rule.pk,
    )


def matching_rules(case_type: str, region=None, ip_type: str = "", service_item=None):
    rules = RoutingRule.objects.filter(case_type=case_type, agency__status=AgencyStatus.OPERATING)
    up = _ancestors(region) if region is not None else []
    depth = {pk: len(up) - i for i, pk in enumerate(up)}
    found = []
    for rule in rules:
        if rule.region_id and rule.region_id not in depth:
            continue
        if rule.ip_type and rule.ip_type != (ip_type or ""):
            continue
        if rule.service_item_id and (service_item is None or rule.service_item_id != service_item.pk):
            continue
        found.append(rule)
    found.sort(key=lambda r: specificity(r, depth), reverse=True)
    return found


def fallback_agency() -> Agency:
    configured = str(settings.ZHICHAN_FALLBACK_AGENCY or "").strip()
    if configured:
        agency = Agency.objects.filter(pk=int(configured), status=AgencyStatus.OPERATING).first()
        if agency is not None:
            return agency
    operating = Agency.objects.filter(status=AgencyStatus.OPERATING, level=Level.CITY).order_by("pk")
    agency = operating.filter(type=AgencyType.SERVICE_CENTRE).first() or operating.first()
    if agency is None:
        # A case is never without an owner: refuse intake rather than store an orphan.
        raise ValidationError({"type": [_("No operating agency can receive this case.")]})
    return agency


def route(case_type: str, region=None, ip_type: str = "", service_item=None) -> Agency:
    if service_item is not None and service_item.provider_id:
        # An outside provider's offer goes to that provider, whatever the rules say.
        provider = Agency.objects.filter(pk=service_item.provider_id).first()
        if provider is None or provider.status != AgencyStatus.OPERATING:
            raise ValidationError(
                {"service_item": [_("The provider of this service is not taking applications now.")]}
            )
        # Whichever form the request came through, the offer's counties served hold.
        from zhichan.providers.models import Offer  # providers builds on cases: import late

        offer = Offer.objects.filter(item_id=service_item.pk).first()
        refusal = offer.refusal_for(region) if offer is not None else None
        if refusal:
            raise ValidationError({"region": [refusal]})
        return provider
    rules = matching_rules(case_type, region, ip_type, service_item)
    if rules:
        return rules[0].agency
    return fallback_agency()
