"""Stamp the owner agency on the case events written before events carried it.

For events before a referral the owner then was the referring agency: each referral event
names its from_agency, so the events before it are given that agency, the later ones the next.
"""

from django.db import migrations


def fill(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Case = apps.get_model("cases", "Case")
    referred = set(CaseEvent.objects.filter(kind="referred").values_list("case_id", flat=True))
    # Cases never referred: every event belongs to the present owner.
    for owner_id in Case.objects.values_list("owner_id", flat=True).distinct():
        CaseEvent.objects.filter(case__owner_id=owner_id, agency__isnull=True).exclude(
            case_id__in=referred
        ).update(agency_id=owner_id)
    for case_id in referred:
        events = list(CaseEvent.objects.filter(case_id=case_id).order_by("at", "id"))
        referrals = [e for e in events if e.kind == "referred"]
        holder = (referrals[0].data or {}).get("from_agency") if referrals else None
        holder = holder or Case.objects.get(pk=case_id).owner_id
        for event in events:
            if event.kind == "referred":
                holder = (event.data or {}).get("to_agency") or holder
            if event.agency_id is None:
                event.agency_id = holder
                event.save(update_fields=["agency"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_caseevent_agency")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
