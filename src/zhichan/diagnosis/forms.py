"""Page forms built from the questionnaire; they only collect input, services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.diagnosis.questionnaire import choice_label
from zhichan.regions.models import Region, RegionKind


class DiagnosisForm(forms.Form):
    """The enterprise's particulars, then one field per question (named by its key)."""

    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=200, required=False)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("Optional. With it the diagnosis also checks the enterprise's patents and trademarks."),
    )
    region = forms.ChoiceField(label=_("County"), required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, definition: dict, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(kind__in=(RegionKind.COUNTY, RegionKind.PARK)).order_by(
            "sort", "code"
        )
        self.fields["region"].choices = [("", "—")] + [(r.code, r.name) for r in regions]
        self.sections = []
        for section in definition["sections"]:
            names = []
            for q in section["questions"]:
                self.fields[q["key"]] = _field(q)
                names.append(q["key"])
            self.sections.append({"section": section, "names": names})
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")

    def section_fields(self):
        """Each section with its bound fields and its questions' conditions (for the page's script)."""
        for entry in self.sections:
            yield {
                "section": entry["section"],
                "fields": [
                    (self[name], q)
                    for name, q in zip(entry["names"], entry["section"]["questions"], strict=True)
                ],
            }

    def answers(self) -> dict:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key not in ("enterprise_name", "uscc", "region", "submission_key")
            and value not in (None, "", [])
        }

    def profile(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in ("enterprise_name", "uscc", "region")}


class ChoicesWithExclusive(forms.CheckboxSelectMultiple):
    """Marks "none of these" choices, which the page's script keeps apart from the others."""

    def __init__(self, *args, exclusive=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.exclusive = set(exclusive)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.exclusive:
            option["attrs"]["data-exclusive"] = "1"
        return option


class _Unchecked:
    """The service checks the answers (every question at once, the same words as the API)."""

    def valid_value(self, value):
        return True


class AnswerChoice(_Unchecked, forms.ChoiceField):
    pass


class AnswerChoices(_Unchecked, forms.MultipleChoiceField):
    pass


def _field(q: dict):
    label = q["text"]
    help_text = q.get("help", "")
    if q["type"] == "number":
        step = "1" if q.get("integer", True) else "any"
        widget = forms.NumberInput(attrs={"min": q["min"], "max": q["max"], "step": step})
        return forms.CharField(label=label, help_text=help_text, required=False, max_length=40, widget=widget)
    choices = [(c["key"], choice_label(c)) for c in q["choices"]]
    if q["type"] == "multiple":
        return AnswerChoices(
            label=label,
            help_text=help_text,
            choices=choices,
            required=False,
            widget=ChoicesWithExclusive(
                attrs={"class": "form-check-input"},
                exclusive=[c["key"] for c in q["choices"] if c["exclusive"]],
            ),
        )
    return AnswerChoice(
        label=label,
        help_text=help_text,
        choices=choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class HelpForm(forms.Form):
    """Ask for help with one recommended service: a case routed like any application for it."""

    service_item = forms.ChoiceField(label=_("Service"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("What would you like help with?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    requester_name = forms.CharField(
        label=_("Contact person"),
        max_length=100,
        required=False,
        widget=forms.TextInput({"class": "form-control"}),
    )
    requester_phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput({"class": "form-control"})
    )
    requester_email = forms.EmailField(
        label=_("E-mail"), required=False, widget=forms.EmailInput({"class": "form-control"})
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_item"].choices = [(i.code, i.display_name) for i in items]
