"""A demo watch list: the demo enterprise account acts for a local enterprise and watches its
marks, its patents and a competitor."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from zhichan.accounts.models import User
from zhichan.enterprises.models import Enterprise
from zhichan.watch import services
from zhichan.watch.models import WatchList

MARKS = PATENTS = 3


def create_demo_watch(log=print) -> WatchList | None:
    """Once: link demo-enterprise to an enterprise (the one in custody, else the one with the most
    trademarks) and give it a watch list. Nothing when the list exists or the data is missing."""
    user = User.objects.filter(username="demo-enterprise").first()
    if user is None or WatchList.objects.filter(created_by=user).exists():
        return None
    if user.enterprise_id is None:
        enterprise = _enterprise_for(user)
        if enterprise is None:
            return None
        user.enterprise = enterprise
        user.organisation = enterprise.name
        user.save(update_fields=["enterprise", "organisation"])
    enterprise = user.enterprise
    watch_list = services.do_create_list(user, "我的品牌与专利")
    for mark in enterprise.trademarks.order_by("-application_date", "pk")[:MARKS]:
        services.do_add_item(user, watch_list, "mark", text=mark.name, nice_classes=[mark.nice_class])
    for patent in enterprise.patents.order_by("-application_date", "pk")[:PATENTS]:
        services.do_add_item(user, watch_list, "patent", patent=patent)
    rival = _competitor(enterprise)
    if rival:
        services.do_add_item(user, watch_list, "applicant", text=rival)
    log(f"watch list: {enterprise.name} watches {watch_list.items.count()} items (account demo-enterprise)")
    return watch_list


def _enterprise_for(user):
    custodies = getattr(user, "custodies", None)
    if custodies is not None:
        found = custodies.select_related("enterprise").order_by("pk").first()
        if found is not None:
            return found.enterprise
    return (
        Enterprise.objects.annotate(marks=Count("trademarks"))
        .filter(marks__gt=0)
        .order_by("-marks", "pk")
        .first()
    )


def _competitor(enterprise) -> str:
    """The most frequent other first applicant among the patents of the enterprise's county."""
    if enterprise.region_id is None:
        return ""
    from zhichan.ipdata.models import Patent

    names = Counter(
        Patent.objects.filter(region_id=enterprise.region_id)
        .exclude(enterprises=enterprise)
        .exclude(first_applicant="")
        .values_list("first_applicant", flat=True)[:2000]
    )
    return names.most_common(1)[0][0] if names else ""
