"""Page forms; they collect input, practices/services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.practices.models import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files; their content is checked by the service (notices.files.check_upload)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class PracticeForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    county = forms.ModelChoiceField(label=_("county"), queryset=None)
    agency = forms.ModelChoiceField(label=_("agency"), queryset=None, required=False)
    summary = forms.CharField(label=_("summary"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(
        label=_("text"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )
    tags = forms.CharField(
        label=_("tags"), max_length=200, required=False, help_text=_("Separated by commas, at most 8.")
    )
    case_number = forms.CharField(
        label=_("linked case number"),
        max_length=30,
        required=False,
        help_text=_("Optional; only for the reviewers. Nothing of the case appears on the public page."),
    )
    files = MultipleFileField(
        label=_("images and attachments"),
        required=False,
        help_text=_("PNG, JPEG, PDF or Word/Excel; checked by their content."),
    )

    def __init__(self, *args, user=None, practice=None, **kwargs):
        from zhichan.practices import services

        if practice is not None and "initial" not in kwargs:
            initial = services.current(practice)
            initial["tags"] = ", ".join(initial["tags"])
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = services.county_choices(user).order_by("sort", "code")
        self.fields["agency"].queryset = services.agency_choices(user).order_by("region__sort", "name")
        for name, field in self.fields.items():
            css = "form-select" if name in ("category", "county", "agency") else "form-control"
            field.widget.attrs.setdefault("class", css)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
