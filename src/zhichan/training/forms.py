"""Page forms; they only collect input, training/services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.core.once import OnceKeyField
from zhichan.training.models import Audience

LOCAL = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
)


class EventForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    audience = forms.ChoiceField(label=_("audience"), choices=Audience.choices)
    organiser = forms.ModelChoiceField(label=_("organiser"), queryset=None)
    region = forms.ModelChoiceField(label=_("region"), queryset=None)
    starts_at = forms.DateTimeField(label=_("starts at"), widget=LOCAL)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=LOCAL)
    venue = forms.CharField(label=_("venue"), max_length=255, required=False)
    online_url = forms.CharField(label=_("online link"), max_length=500, required=False)
    capacity = forms.IntegerField(label=_("capacity"), min_value=1)
    hours = forms.DecimalField(label=_("hours credited"), min_value=0, max_digits=4, decimal_places=1)
    registration_opens_at = forms.DateTimeField(label=_("registration opens"), widget=LOCAL, required=False)
    registration_closes_at = forms.DateTimeField(
        label=_("registration closes"),
        widget=LOCAL,
        required=False,
        help_text=_("Empty: registration closes when the event starts."),
    )
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    submission_key = OnceKeyField()

    def __init__(self, *args, user=None, event=None, **kwargs):
        from zhichan.training import services

        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = services.current(event)
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = services.organiser_choices(user).order_by("region__sort", "name")
        self.fields["region"].queryset = services.region_choices(user).order_by("sort", "code")
        for name, field in self.fields.items():
            css = "form-select" if name in ("audience", "organiser", "region") else "form-control"
            field.widget.attrs.setdefault("class", css)


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=1000, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("check-in code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    comment = forms.CharField(
        label=_("comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
