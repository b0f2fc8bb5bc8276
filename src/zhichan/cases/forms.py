from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.cases.models import RatingLevel
from zhichan.core.permissions import CHANGE, role_of


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
    # Set when the hotline console opened this form: the call's record then points at the case.
    hotline_question = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )

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
        regions = (
            Region.objects.filter(kind__in=[RegionKind.COUNTY, RegionKind.PARK])
            .order_by("sort", "code")
            .only("code", "name", "name_en")
        )
        self.fields["region"].choices = blank + [(r.code, r.display_name) for r in regions]
        self.fields["ip_type"].choices = blank + list(IPType.choices)
        items = ServiceItem.objects.published().order_by("sort", "code").only("code", "name", "name_en")
        self.fields["service_item"].choices = blank + [(i.code, i.display_name) for i in items]
        running = Fair.objects.running().values_list("pk", "name")
        self.fields["fair"].choices = blank + [(str(pk), name) for pk, name in running]
        if user is not None and user.is_authenticated and (user.role in STAFF_ROLES or user.is_superuser):
            self.fields["channel"] = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
            self.fields["channel"].widget.attrs["class"] = "form-select"
        for name in ("type", "subtype", "region", "ip_type", "service_item", "fair"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["anonymous"].widget.attrs["class"] = "form-check-input"


class RuleForm(StyledForm):
    """Collects a routing rule; services.do_create_rule / do_update_rule decide what is valid."""

    case_type = forms.ChoiceField(label=_("case type"))
    region = forms.ModelChoiceField(label=_("region"), queryset=None, required=False)
    ip_type = forms.ChoiceField(label=_("IP type"), required=False)
    service_item = forms.ModelChoiceField(label=_("service"), queryset=None, required=False)
    agency = forms.ModelChoiceField(label=_("agency"), queryset=None)
    priority = forms.IntegerField(label=_("priority"), initial=0, min_value=-1000, max_value=1000)

    def __init__(self, *args, rule=None, user=None, **kwargs):
        from zhichan.agencies.models import Agency
        from zhichan.cases.models import CaseType, IPType
        from zhichan.catalog.models import ServiceItem
        from zhichan.regions.models import Region, RegionKind

        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "case_type": rule.case_type,
                "region": rule.region_id,
                "ip_type": rule.ip_type,
                "service_item": rule.service_item_id,
                "agency": rule.agency_id,
                "priority": rule.priority,
            }
        super().__init__(*args, **kwargs)
        self.fields["case_type"].choices = CaseType.choices
        self.fields["ip_type"].choices = [("", _("Any IP type"))] + list(IPType.choices)
        regions = self.fields["region"]
        regions.queryset = Region.objects.exclude(kind=RegionKind.PROVINCE).order_by("sort", "code")
        agencies = Agency.objects.all()
        if user is not None:
            # Only what the user may assign is offered (a county administrator: their county);
            # the service still refuses anything else, and agencies that are not operating.
            agencies = Agency.objects.restrict(user, CHANGE)
            if role_of(user) == "county_admin" and user.region_id and not user.is_superuser:
                regions.queryset = regions.queryset.filter(pk__in=user.region.subtree_ids())
        regions.empty_label = _("Any region")
        items = self.fields["service_item"]
        items.queryset = ServiceItem.objects.order_by("category", "sort", "code")
        items.empty_label = _("Any service")
        self.fields["agency"].queryset = agencies.select_related("region").order_by(
            "region__sort", "level", "name", "pk"
        )
        for name in ("case_type", "region", "ip_type", "service_item", "agency"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "case_type": data["case_type"],
            "region": data["region"],
            "ip_type": data["ip_type"] or "",
            "service_item": data["service_item"],
            "agency": data["agency"],
            "priority": data["priority"],
        }


class RuleTesterForm(forms.Form):
    """Which agency would receive a case with these facts."""

    type = forms.ChoiceField(label=_("case type"))
    region = forms.ModelChoiceField(label=_("region"), queryset=None, required=False)
    ip_type = forms.ChoiceField(label=_("IP type"), required=False)
    item = forms.ModelChoiceField(label=_("service"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from zhichan.cases.models import CaseType, IPType
        from zhichan.catalog.models import ServiceItem
        from zhichan.regions.models import Region, RegionKind

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = CaseType.choices
        self.fields["ip_type"].choices = [("", _("Any IP type"))] + list(IPType.choices)
        self.fields["region"].queryset = Region.objects.exclude(kind=RegionKind.PROVINCE).order_by(
            "sort", "code"
        )
        self.fields["region"].empty_label = _("Any region")
        self.fields["item"].queryset = ServiceItem.objects.order_by("category", "sort", "code")
        self.fields["item"].empty_label = _("Any service")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
