"""Page forms; they only collect input, fairs/services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhichan.accounts.models import User
from zhichan.agencies.models import Agency, Level
from zhichan.core.permissions import CHANGE
from zhichan.regions.models import Region, RegionKind

LOCAL = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
)


class FairForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    starts_at = forms.DateTimeField(label=_("starts at"), widget=LOCAL)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=LOCAL)
    venue = forms.CharField(label=_("venue"), max_length=255, required=False)
    organiser = forms.CharField(label=_("organiser"), max_length=200, required=False)
    region = forms.ModelChoiceField(label=_("region"), queryset=None)
    workstation = forms.ModelChoiceField(label=_("on-site workstation"), queryset=None, required=False)
    staff = forms.ModelMultipleChoiceField(
        label=_("on-site staff"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    accept_hours = forms.IntegerField(label=_("hours to accept a complaint"), min_value=1)
    decide_hours = forms.IntegerField(label=_("hours to decide a complaint"), min_value=1)

    def __init__(self, *args, user=None, fair=None, **kwargs):
        from zhichan.fairs.services import current

        if fair is not None and "initial" not in kwargs:
            kwargs["initial"] = current(fair)
        super().__init__(*args, **kwargs)
        regions = Region.objects.exclude(kind=RegionKind.PROVINCE).order_by("sort", "code")
        if user is not None and user.role == "county_admin" and user.region_id and not user.is_superuser:
            regions = regions.filter(pk__in=user.region.subtree_ids())
        self.fields["region"].queryset = regions
        workstations = Agency.objects.all()
        if user is not None:
            # What the user may assign: agencies they administer, and city-level ones (a county's
            # fair may be staffed from the city). The service still checks the rest.
            workstations = Agency.objects.filter(
                Q(pk__in=Agency.objects.restrict(user, CHANGE).values("pk")) | Q(level=Level.CITY)
            )
        self.fields["workstation"].queryset = workstations.select_related("region").order_by(
            "region__sort", "level", "name", "pk"
        )
        self.fields["staff"].queryset = User.objects.filter(
            agency__isnull=False, agency__in=workstations.values("pk")
        ).order_by("username")
        for name, field in self.fields.items():
            if name in ("region", "workstation", "staff"):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")
        if fair is None and not self.is_bound:
            from django.conf import settings

            self.initial.setdefault("accept_hours", settings.ZHICHAN_FAIR_ACCEPT_HOURS)
            self.initial.setdefault("decide_hours", settings.ZHICHAN_FAIR_DECIDE_HOURS)
