"""Page forms: they only collect input; the services check it and their errors land on the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.agencies.models import Function
from zhichan.catalog.models import Category
from zhichan.core.once import OnceKeyField
from zhichan.providers.models import PROVIDER_TYPE_CHOICES
from zhichan.regions.models import Region, RegionKind

TEXT = {"class": "form-control"}


def county_choices():
    regions = Region.objects.filter(kind__in=(RegionKind.COUNTY, RegionKind.PARK)).order_by("sort", "code")
    return [("", "---------")] + [(r.code, r.name) for r in regions]


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=150, widget=forms.TextInput(TEXT))
    type = forms.ChoiceField(
        label=_("Type"), choices=PROVIDER_TYPE_CHOICES, widget=forms.Select({"class": "form-select"})
    )
    region = forms.ChoiceField(label=_("County"), widget=forms.Select({"class": "form-select"}))
    address = forms.CharField(label=_("Address"), max_length=255, widget=forms.TextInput(TEXT))
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        widget=forms.TextInput(TEXT),
        help_text=_("18 characters, as on the business licence or registration certificate."),
    )
    contact_person = forms.CharField(label=_("Contact person"), max_length=50, widget=forms.TextInput(TEXT))
    phone = forms.CharField(label=_("Phone"), max_length=50, widget=forms.TextInput(TEXT))
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(TEXT),
        help_text=_("The decision and, once approved, the administrator account are sent here."),
    )
    services = forms.CharField(
        label=_("Services offered"),
        max_length=5000,
        widget=forms.Textarea({**TEXT, "rows": 4}),
    )
    functions = forms.MultipleChoiceField(
        label=_("Functions"), choices=Function.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = county_choices()


class ApproveForm(forms.Form):
    functions = forms.MultipleChoiceField(
        label=_("Functions"), choices=Function.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea({**TEXT, "rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea({**TEXT, "rows": 3}))


class OfferForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, widget=forms.TextInput(TEXT))
    title_en = forms.CharField(
        label=_("English title"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea({**TEXT, "rows": 4})
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Category.choices, widget=forms.Select({"class": "form-select"})
    )
    price = forms.CharField(
        label=_("Price (yuan)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(TEXT),
        help_text=_("0 or empty for a free service."),
    )
    counties = forms.MultipleChoiceField(
        label=_("Counties served"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the whole city."),
    )
    capacity_note = forms.CharField(
        label=_("Capacity"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    time_limit_days = forms.CharField(
        label=_("Time limit (working days)"), required=False, max_length=5, widget=forms.TextInput(TEXT)
    )
    steps = forms.CharField(
        label=_("Steps, one per line"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({**TEXT, "rows": 3}),
    )

    submission_key = OnceKeyField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counties"].choices = county_choices()[1:]


class OfferApplicationForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, widget=forms.TextInput(TEXT))
    description = forms.CharField(
        label=_("What do you need?"), max_length=20000, widget=forms.Textarea({**TEXT, "rows": 4})
    )
    region = forms.ChoiceField(
        label=_("County"), required=False, widget=forms.Select({"class": "form-select"})
    )
    requester_name = forms.CharField(
        label=_("Name"), max_length=100, required=False, widget=forms.TextInput(TEXT)
    )
    requester_phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput(TEXT)
    )
    requester_email = forms.CharField(
        label=_("E-mail"), max_length=254, required=False, widget=forms.EmailInput(TEXT)
    )
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = county_choices()
