"""The advanced search form: fields that build a query string of the search language."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.ipdata.models import LegalStatus, PatentType

# (form field, field code, text field?) in the order the query is written.
FIELDS = [
    ("title", "TI", True),
    ("text", "TX", True),
    ("applicant", "PA", True),
    ("inventor", "IN", True),
    ("address", "ADDR", True),
    ("agency", "AG", True),
    ("ipc", "IPC", False),
    ("number", "AN", False),
    ("county", "COUNTY", False),
]


def quote(value: str) -> str:
    """A value as one term: quoted when it has spaces or characters the language reads itself."""
    value = " ".join(value.replace('"', " ").replace("“", " ").replace("”", " ").split())
    if not value:
        return ""
    if any(ch in value for ch in " ()（）[]{}=＝<>~|&-") or value.upper() in ("AND", "OR", "NOT"):
        return f'"{value}"'
    return value


class AdvancedSearchForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    text = forms.CharField(label=_("Title, abstract or claims"), required=False, max_length=200)
    applicant = forms.CharField(label=_("Applicant"), required=False, max_length=200)
    inventor = forms.CharField(label=_("Inventor"), required=False, max_length=200)
    address = forms.CharField(label=_("Applicant's address"), required=False, max_length=200)
    agency = forms.CharField(label=_("Patent agency"), required=False, max_length=200)
    ipc = forms.CharField(label=_("IPC prefix"), required=False, max_length=40)
    number = forms.CharField(label=_("Application number"), required=False, max_length=40)
    date_from = forms.DateField(
        label=_("Application date from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Application date to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any"))] + list(PatentType.choices)
    )
    legal_status = forms.ChoiceField(
        label=_("Legal status"), required=False, choices=[("", _("Any"))] + list(LegalStatus.choices)
    )
    county = forms.CharField(label=_("County"), required=False, max_length=40)
    words = forms.BooleanField(
        label=_("Match whole words"),
        required=False,
        help_text=_("Text fields match words cut by the segmenter instead of any substring."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def to_query(self) -> str:
        """The query string of the cleaned fields, ANDed (an empty form is the empty query)."""
        data = self.cleaned_data
        op = "~=" if data.get("words") else "="
        parts = []
        for name, code, is_text in FIELDS:
            value = quote(data.get(name) or "")
            if value:
                parts.append(f"{code}{op if is_text else '='}{value}")
        start, end = data.get("date_from"), data.get("date_to")
        if start or end:
            low = start.isoformat() if start else "*"
            high = end.isoformat() if end else "*"
            parts.append(f"AD=[{low} TO {high}]")
        for name, code in (("type", "TYPE"), ("legal_status", "LS")):
            if data.get(name):
                parts.append(f"{code}={data[name]}")
        return " ".join(parts)
