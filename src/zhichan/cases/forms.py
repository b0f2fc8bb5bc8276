from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.cases.models import RatingLevel


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.setdefault("class", "form-control")


class LookupForm(StyledForm):
    number = forms.CharField(label=_("Case number"), max_length=30)
    code = forms.CharField(label=_("Tracking code"), max_length=8)


class SupplementForm(StyledForm):
    text = forms.CharField(
        label=_("Your supplement"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    files = forms.FileField(label=_("Files (PDF, PNG, JPEG)"), required=False)


class RateForm(StyledForm):
    level = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=RatingLevel.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(StyledForm):
    reason = forms.CharField(
        label=_("Why is the matter not settled?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )



class IntakeForm(StyledForm):
    """One form for every channel; staff also choose the channel."""

    type = forms.ChoiceField(label=_("What is it about?"))
    subtype = forms.ChoiceField(label=_("More precisely"), required=False)
    region = forms.ChoiceField(label=_("County or park concerned"), required=False)
    ip_type = forms.ChoiceField(label=_("Kind of right"), required=False)
    service_item = forms.ChoiceField(label=_("Service applied for"), required=False)
    fair = forms.ChoiceField(label=_("Trade fair"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Describe the matter"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    requester_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    requester_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    requester_email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    anonymous = forms.BooleanField(label=_("File anonymously (reports only)"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhichan.accounts.models import STAFF_ROLES
        from zhichan.cases.models import SUBTYPES, CaseType, Channel, IPType
        from zhichan.catalog.models import ServiceItem
        from zhichan.fairs.models import Fair
        from zhichan.regions.models import Region, RegionKind

        blank = [("", "—")]
        self.fields["type"].choices = CaseType.choices
        self.fields["subtype"].choices = blank + [
            (k, v) for subs in SUBTYPES.values() for k, v in subs.items()
        ]
        regions = Region.objects.filter(kind__in=[RegionKind.COUNTY, RegionKind.PARK]).order_by(
            "sort", "code"
        )
        self.fields["region"].choices = blank + [(r.code, r.display_name) for r in regions]
        self.fields["ip_type"].choices = blank + list(IPType.choices)
        items = ServiceItem.objects.published().order_by("sort", "code")
        self.fields["service_item"].choices = blank + [(i.code, i.display_name) for i in items]
        self.fields["fair"].choices = blank + [(str(f.pk), f.name) for f in Fair.objects.running()]
        if user is not None and user.is_authenticated and (user.role in STAFF_ROLES or user.is_superuser):
            self.fields["channel"] = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
            self.fields["channel"].widget.attrs["class"] = "form-select"
        for name in ("type", "subtype", "region", "ip_type", "service_item", "fair"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["anonymous"].widget.attrs["class"] = "form-check-input"
