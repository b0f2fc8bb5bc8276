"""Page forms of the evaluation's management actions; evaluation/rectification.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.core.once import OnceKeyField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class IssueNoticeForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("agency"), queryset=None)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 4}))
    required_actions = forms.CharField(label=_("required actions"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(
        label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    scorecard_run_id = forms.IntegerField(
        label=_("scorecard run"),
        required=False,
        min_value=1,
        help_text=_("Optional: the number of the scorecard run whose findings led to this notice."),
    )
    submission_key = OnceKeyField()

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        for name, field in self.fields.items():
            if name == "submission_key":
                continue
            field.widget.attrs.setdefault("class", "form-select" if name == "agency" else "form-control")


class RespondForm(forms.Form):
    text = forms.CharField(
        label=_("what was done"), widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"})
    )
    files = MultipleFileField(label=_("files (optional)"), required=False)


class ReviewForm(forms.Form):
    DECISIONS = (
        ("accept", _("Accept: the agency operates again")),
        ("reject", _("Reject: the agency responds again")),
        ("escalate", _("Escalate: close the agency")),
    )
    decision = forms.ChoiceField(label=_("decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Required when rejecting or escalating."),
    )
