"""Page forms; they only collect input, custody/services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhichan.accounts.models import Role, User
from zhichan.custody import services
from zhichan.custody.models import ActionKind
from zhichan.enterprises.models import Enterprise

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _contacts_field():
    return forms.ModelMultipleChoiceField(
        label=_("enterprise contacts"),
        queryset=User.objects.filter(role=Role.ENTERPRISE, is_active=True).order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Enterprise users who read the custody and receive its reminders."),
    )


class CustodyForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("agency"), queryset=None)
    enterprise = forms.ModelChoiceField(label=_("enterprise"), queryset=Enterprise.objects.order_by("name"))
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE, required=False)
    contacts = None  # set in __init__
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = services.manageable_agencies(user).order_by("name")
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first()
        self.fields["contacts"] = _contacts_field()
        self.order_fields(["agency", "enterprise", "starts_on", "ends_on", "contacts", "note"])


class ContactsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"] = _contacts_field()


class RightsForm(forms.Form):
    patents = forms.CharField(
        label=_("patents"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Application numbers, one a line or separated by commas."),
    )
    trademarks = forms.CharField(
        label=_("trademarks"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Registration numbers, one a line or separated by commas."),
    )

    def clean(self):
        data = super().clean()
        try:
            data["patent_list"], data["trademark_list"] = services.parse_rights(
                data.get("patents", ""), data.get("trademarks", "")
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return data


class ActionForm(forms.Form):
    deadline = forms.ChoiceField(label=_("deadline"))
    action = forms.ChoiceField(label=_("action"), choices=ActionKind.choices)
    done_on = forms.DateField(label=_("done on"), widget=DATE)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    evidence = forms.FileField(
        label=_("evidence"), required=False, help_text=_("PDF, JPEG or PNG, optional.")
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].choices = choices

    def service_args(self) -> dict:
        right_key, _sep, deadline_key = self.cleaned_data["deadline"].partition("|")
        return {
            "right_key": right_key,
            "deadline_key": deadline_key,
            "action": self.cleaned_data["action"],
            "done_on": self.cleaned_data["done_on"],
            "note": self.cleaned_data["note"],
            "evidence": self.cleaned_data.get("evidence"),
        }


class EndForm(forms.Form):
    ends_on = forms.DateField(label=_("ends on"), widget=DATE)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
