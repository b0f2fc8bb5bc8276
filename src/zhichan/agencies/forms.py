"""Page forms; they only collect input, the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.agencies.models import COMPREHENSIVE_TYPES, Agency, AgencyType, Function, Level, Status
from zhichan.catalog.models import ServiceItem
from zhichan.regions.models import Region, RegionKind

BLANK = [("", "---------")]


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=150)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    type = forms.ChoiceField(label=_("type"), choices=AgencyType.choices)
    region = forms.ChoiceField(label=_("region"))
    parent = forms.ChoiceField(label=_("parent agency"), required=False)
    functions = forms.MultipleChoiceField(
        label=_("functions"),
        choices=Function.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    services = forms.MultipleChoiceField(
        label=_("services offered"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(label=_("address"), max_length=255, required=False)
    lng = forms.CharField(label=_("longitude"), required=False)
    lat = forms.CharField(label=_("latitude"), required=False)
    opening_hours = forms.CharField(label=_("opening hours"), max_length=200, required=False)
    contact_person = forms.CharField(label=_("contact person"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=50, required=False)
    email = forms.CharField(label=_("e-mail"), max_length=254, required=False)
    website = forms.CharField(label=_("website"), max_length=200, required=False)

    def __init__(self, *args, allowed: set[str], user=None, agency: Agency | None = None, **kwargs):
        if agency is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(agency)
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
        if agency is None and getattr(user, "role", "") == "county_admin" and user.region_id:
            # A county administrator adds agencies of their own county.
            if "level" in self.fields:
                self.fields["level"].initial = Level.COUNTY
            if "region" in self.fields:
                self.fields["region"].initial = user.region.code
        if "region" in self.fields:
            from zhichan.agencies.services import can_manage_region

            regions = Region.objects.exclude(kind=RegionKind.PROVINCE).order_by("sort", "code")
            # Offer only where the user may place an agency (the service checks it again).
            regions = [r for r in regions if user is None or can_manage_region(user, r)]
            self.fields["region"].choices = BLANK + [
                (r.code, f"{r.display_name} ({r.code})") for r in regions
            ]
        if "parent" in self.fields:
            others = Agency.objects.exclude(status=Status.CLOSED).select_related("region")
            if agency is not None:
                others = others.exclude(pk=agency.pk)
            self.fields["parent"].choices = BLANK + [
                (str(a.pk), f"{a.display_name} · {a.region}") for a in others
            ]
        if "services" in self.fields:
            items = ServiceItem.objects.order_by("category", "sort", "code")
            self.fields["services"].choices = [(i.code, f"{i.code} {i.display_name}") for i in items]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def service_fields(self) -> dict:
        """The cleaned input as the service functions take it."""
        return {name: value for name, value in self.cleaned_data.items() if name in self.fields}


def initial_for(agency: Agency) -> dict:
    return {
        **{f: getattr(agency, f) for f in ("name", "name_en", "level", "type", "description", "address")},
        **{f: getattr(agency, f) for f in ("opening_hours", "contact_person", "phone", "email", "website")},
        "region": agency.region.code,
        "parent": str(agency.parent_id or ""),
        "lng": "" if agency.lng is None else agency.lng,
        "lat": "" if agency.lat is None else agency.lat,
        "functions": agency.function_codes,
        "services": list(agency.services.values_list("code", flat=True)),
    }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), widget=forms.Select(attrs={"class": "form-select"}))
    finding = forms.CharField(
        label=_("review finding"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("Required when the agency is put under rectification or closed."),
    )

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        from zhichan.agencies.services import allowed_statuses

        labels = dict(Status.choices)
        # Every status is offered so an illegal move gets its explanation, not a silent refusal.
        nexts = allowed_statuses(agency)
        self.fields["status"].choices = [(s, labels[s]) for s in nexts] + [
            (s, labels[s]) for s in Status.values if s not in nexts and s != agency.status
        ]


class UpgradeForm(forms.Form):
    type = forms.ChoiceField(
        label=_("new type"),
        choices=[(t.value, t.label) for t in AgencyType if t in COMPREHENSIVE_TYPES],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    finding = forms.CharField(
        label=_("review finding"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
