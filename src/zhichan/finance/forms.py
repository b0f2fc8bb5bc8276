"""Page forms; they only collect input, finance/services.py and valuation.py decide what is valid."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhichan.core.once import OnceKeyField
from zhichan.enterprises.models import Enterprise
from zhichan.finance.models import IPKind, PolicyKind
from zhichan.ipdata.models import Patent
from zhichan.ipdata.numbers import NumberError, parse_application_number
from zhichan.regions.models import Region, RegionKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}


def _text(label, required=True, rows=None, **kwargs):
    widget = forms.Textarea(attrs={**TEXT, "rows": rows}) if rows else forms.TextInput(attrs=TEXT)
    return forms.CharField(label=label, required=required, widget=widget, **kwargs)


def _num(label, required=True, **kwargs):
    # Text, not a number input: the service names the field when the figure is refused.
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal"}),
        **kwargs,
    )


class IncomeForm(forms.Form):
    revenues = _text(
        _("revenue forecast (yuan)"),
        rows=3,
        help_text=_("One figure per year from next year, separated by commas or new lines."),
    )
    royalty_rate = _num(_("royalty rate (%)"))
    tax_rate = _num(_("income tax rate (%)"), initial="25")
    discount_rate = _num(_("discount rate (%)"))
    economic_life_years = _num(_("remaining economic life (years)"))
    patent = _text(
        _("patent (optional)"),
        required=False,
        help_text=_("An application number: the life is capped by the patent's remaining legal term."),
    )

    def clean_revenues(self):
        return [v for v in re.split(r"[\s,，;；]+", self.cleaned_data["revenues"]) if v]

    def clean_patent(self):
        number = self.cleaned_data["patent"].strip()
        if not number:
            return None
        try:
            number = parse_application_number(number)
        except NumberError as exc:
            raise ValidationError(_("Not a patent application number.")) from exc
        patent = Patent.objects.filter(application_number=number).first()
        if patent is None:
            raise ValidationError(_("No such patent."))
        return patent


class CostForm(forms.Form):
    replacement_cost = _num(_("replacement cost (yuan)"))
    physical_obsolescence = _num(_("physical obsolescence (%)"), initial="0")
    functional_obsolescence = _num(_("functional obsolescence (%)"), initial="0")
    economic_obsolescence = _num(_("economic obsolescence (%)"), initial="0")


class MarketForm(forms.Form):
    comparables = _text(
        _("comparable transactions"),
        rows=5,
        help_text=_(
            'One a line: "description | price | factor factor …", e.g. "licence A | 300000 | 1.1 0.9".'
        ),
    )

    def clean_comparables(self):
        rows = []
        for line in self.cleaned_data["comparables"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 1:
                parts = ["", parts[0], ""]
            elif len(parts) == 2:
                parts = [parts[0], parts[1], ""]
            rows.append({"description": parts[0], "price": parts[1], "factors": parts[2].split()})
        return rows


def _portfolio_fields(form, enterprise):
    patents = enterprise.patents.order_by("application_number") if enterprise else Patent.objects.none()
    trademarks = enterprise.trademarks.order_by("registration_number") if enterprise else []
    form.fields["patents"].queryset = patents
    form.fields["trademarks"].queryset = (
        trademarks if enterprise else form.fields["trademarks"].queryset.none()
    )
    form.fields["patents"].label_from_instance = lambda p: f"{p.application_number} {p.title[:40]}"
    form.fields["trademarks"].label_from_instance = lambda t: f"{t.registration_number} {t.name}"


class RightsMixin(forms.Form):
    patents = forms.ModelMultipleChoiceField(
        label=_("patents"),
        queryset=Patent.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trademarks = forms.ModelMultipleChoiceField(
        label=_("trademarks"),
        queryset=Patent.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ValuationApplyForm(RightsMixin):
    purpose = _text(
        _("purpose of the valuation"), rows=3, help_text=_("Transfer, licence, pledge, contribution …")
    )

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhichan.ipdata.models import Trademark

        self.fields["trademarks"].queryset = Trademark.objects.none()
        _portfolio_fields(self, enterprise)


class ApplicationForm(RightsMixin):
    amount = _num(_("amount (yuan)"))
    term_months = _num(_("term (months)"))
    purpose = _text(_("purpose of the loan"), rows=3)
    product = forms.ChoiceField(label=_("loan product"), required=False, widget=forms.RadioSelect)
    submission_key = OnceKeyField()

    def __init__(self, *args, enterprise=None, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        from zhichan.ipdata.models import Trademark

        self.fields["trademarks"].queryset = Trademark.objects.none()
        _portfolio_fields(self, enterprise)
        self.fields["product"].choices = [
            (
                str(p.pk),
                f"{p.name} · {p.institution.name} · {p.amount_min:,.0f}–{p.amount_max:,.0f} · "
                f"{p.term_min_months}–{p.term_max_months} · {p.rate_min}–{p.rate_max}%",
            )
            for p in products
        ]


class ProductForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("institution"), queryset=None)
    name = _text(_("name"), max_length=200)
    description = _text(_("description"), required=False, rows=3)
    amount_min = _num(_("smallest amount (yuan)"))
    amount_max = _num(_("largest amount (yuan)"))
    term_min_months = _num(_("shortest term (months)"))
    term_max_months = _num(_("longest term (months)"))
    rate_min = _num(_("lowest annual rate (%)"))
    rate_max = _num(_("highest annual rate (%)"))
    ip_types = forms.MultipleChoiceField(
        label=_("eligible IP types"),
        choices=IPKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("regions served"),
        queryset=Region.objects.filter(kind__in=[RegionKind.CITY, RegionKind.COUNTY]).order_by(
            "sort", "code"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: the whole city."),
    )
    published = forms.BooleanField(label=_("published"), required=False)

    submission_key = OnceKeyField()

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if institutions is not None and institutions.count() == 1:
            self.fields["institution"].initial = institutions.first()
        self.fields["institution"].widget.attrs["class"] = "form-select"


class NoteForm(forms.Form):
    note = _text(_("note"), required=False, rows=2)


class RegisterForm(forms.Form):
    registration_number = _text(_("registration number"), max_length=40)
    registered_on = forms.DateField(label=_("registered on"), widget=DATE)


class PolicyForm(forms.Form):
    insurer = forms.ModelChoiceField(label=_("insurer"), queryset=None)
    enterprise = forms.ModelChoiceField(
        label=_("insured enterprise"), queryset=Enterprise.objects.order_by("name")
    )
    policy_number = _text(_("policy number"), max_length=40)
    kind = forms.ChoiceField(label=_("kind"), choices=PolicyKind.choices)
    patent_numbers = _text(_("patents covered"), required=False, rows=2, help_text=_("Application numbers."))
    trademark_numbers = _text(
        _("trademarks covered"), required=False, rows=2, help_text=_("Registration numbers.")
    )
    sum_insured = _num(_("sum insured (yuan)"))
    premium = _num(_("premium (yuan)"))
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insurer"].queryset = institutions
        if institutions is not None and institutions.count() == 1:
            self.fields["insurer"].initial = institutions.first()
        for name in ("insurer", "enterprise", "kind"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self):
        from zhichan.custody.services import parse_rights

        data = super().clean()
        try:
            data["patents"], data["trademarks"] = parse_rights(
                data.get("patent_numbers", ""), data.get("trademark_numbers", "")
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(
                        f"{field[:-1]}_numbers" if field in ("patents", "trademarks") else None, message
                    )
        return data


class ClaimForm(forms.Form):
    filed_on = forms.DateField(label=_("filed on"), widget=DATE)
    amount_claimed = _num(_("amount claimed (yuan)"))
    description = _text(_("description"), rows=3)
    submission_key = OnceKeyField()


class ClaimDecisionForm(forms.Form):
    amount_paid = _num(_("amount paid (yuan)"), required=False)
    outcome = _text(_("outcome"), required=False, rows=2)
