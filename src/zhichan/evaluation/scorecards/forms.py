"""Page forms of indicators, scorecards, runs and manual values; they only collect input,
evaluation/scorecards/services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichan.evaluation.metrics import Dimension, Direction, ScopeKind, Unit, metric_choices
from zhichan.evaluation.models.scorecards import Indicator, IndicatorSource, ManualStatus, ScoringRule
from zhichan.evaluation.periods import Period, PeriodKind


def _style(form):
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select")
        else:
            field.widget.attrs.setdefault("class", "form-control")


class IndicatorForm(forms.Form):
    code = forms.CharField(
        label=_("code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and underscores, e.g. on_time_rate."),
    )
    name = forms.CharField(label=_("name"), max_length=120)
    dimension = forms.ChoiceField(label=_("dimension"), choices=Dimension.choices)
    unit = forms.ChoiceField(label=_("unit"), choices=Unit.choices)
    direction = forms.ChoiceField(label=_("direction"), choices=Direction.choices)
    source = forms.ChoiceField(label=_("source"), choices=IndicatorSource.choices)
    metric_code = forms.ChoiceField(
        label=_("metric"),
        required=False,
        help_text=_("For a computed indicator: the figure the system computes."),
    )
    description = forms.CharField(
        label=_("description and method"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("in use"), required=False, initial=True)

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs):
        from zhichan.evaluation.scorecards.services import indicator_values

        if indicator is not None and "initial" not in kwargs:
            kwargs["initial"] = indicator_values(indicator)
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(code, f"{label} ({code})") for code, label in metric_choices()]
        if indicator is not None and indicator.metric_code and indicator.metric_code not in dict(choices):
            choices.append((indicator.metric_code, indicator.metric_code))
        self.fields["metric_code"].choices = choices
        _style(self)


class ScorecardForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    level = forms.ChoiceField(label=_("scores"), choices=ScopeKind.choices)
    period_kind = forms.ChoiceField(label=_("period"), choices=PeriodKind.choices)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("in use"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ItemForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("indicator"), queryset=Indicator.objects.none())
    weight = forms.DecimalField(label=_("weight"), max_digits=6, decimal_places=2)
    rule = forms.ChoiceField(label=_("scoring"), choices=ScoringRule.choices, initial=ScoringRule.MINMAX)
    target = forms.DecimalField(label=_("target value"), max_digits=16, decimal_places=4, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(active=True) | Indicator.objects.filter(
            pk=(self.initial.get("indicator").pk if self.initial.get("indicator") else None)
        )
        _style(self)


ItemFormSet = forms.formset_factory(ItemForm, extra=3, can_delete=True, max_num=40, validate_max=True)


def formset_items(formset) -> list[dict]:
    """The filled rows of a valid formset, in order, without those marked for deletion."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def recent_periods(kind: str, count: int = 8) -> list[tuple[str, str]]:
    period = Period.containing(timezone.localdate(), kind)
    out = []
    for _n in range(count):
        out.append((period.code, period.code))
        period = period.previous()
    return out


class RunForm(forms.Form):
    period = forms.ChoiceField(label=_("period"))

    def __init__(self, *args, scorecard=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = recent_periods(scorecard.period_kind)
        self.fields["period"].choices = choices
        # The last complete period by default.
        self.fields["period"].initial = choices[1][0] if len(choices) > 1 else choices[0][0]
        _style(self)


class FindingsForm(forms.Form):
    findings = forms.CharField(
        label=_("findings"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ManualValueForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("indicator"), queryset=Indicator.objects.none())
    scope = forms.ChoiceField(label=_("city, county, park or agency"))
    period = forms.CharField(label=_("period"), max_length=10, help_text=_("e.g. 2026Q3, 2026H1 or 2026"))
    value = forms.DecimalField(label=_("value"), max_digits=16, decimal_places=4)
    note = forms.CharField(label=_("how it was obtained"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    evidence = MultipleFileField(label=_("evidence (PDF, images, office files)"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        from zhichan.evaluation.scorecards.services import enterable_scopes

        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(
            source=IndicatorSource.MANUAL, active=True
        )
        kinds = dict(ScopeKind.choices)
        self.fields["scope"].choices = [
            (info.scope.key, f"{kinds[info.scope.kind]} · {info.name}") for info in enterable_scopes(user)
        ]
        _style(self)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[(ManualStatus.APPROVED, _("Approve")), (ManualStatus.REJECTED, _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["class"] = "form-control"
