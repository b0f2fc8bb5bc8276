"""Page forms; they collect input, surveys/services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.surveys.models import Audience, QuestionKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    intro = forms.CharField(label=_("introduction"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    opens_on = forms.DateField(label=_("open from"), widget=DATE)
    closes_on = forms.DateField(label=_("open until"), widget=DATE)
    audience = forms.ChoiceField(label=_("audience"), choices=Audience.choices)
    region = forms.ModelChoiceField(label=_("city or county"), queryset=None)
    ask_county = forms.BooleanField(
        label=_("ask the respondent's county (city-wide surveys)"), required=False
    )

    def __init__(self, *args, user=None, survey=None, **kwargs):
        from zhichan.surveys import services

        if survey is not None and "initial" not in kwargs:
            kwargs["initial"] = services.current(survey)
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = services.region_choices(user).order_by("kind", "sort", "code")
        for name, field in self.fields.items():
            if name == "ask_county":
                field.widget.attrs.setdefault("class", "form-check-input")
                continue
            css = "form-select" if name in ("audience", "region") else "form-control"
            field.widget.attrs.setdefault("class", css)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("question"), max_length=300)
    help_text = forms.CharField(label=_("explanation"), max_length=300, required=False)
    options = forms.CharField(
        label=_("options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Choice questions: one option a line."),
    )
    required = forms.BooleanField(label=_("answer required"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = {"kind": "form-select", "required": "form-check-input"}.get(name, "form-control")
            field.widget.attrs.setdefault("class", css)
