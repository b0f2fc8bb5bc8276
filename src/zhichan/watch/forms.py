"""Page forms; they only collect input, watch/services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.watch.models import Digest, ItemKind


class WatchListForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    enterprise = forms.IntegerField(
        label=_("enterprise (registry number)"),
        required=False,
        help_text=_("The number on the enterprise's page in the registry."),
    )
    digest = forms.ChoiceField(label=_("e-mail"), choices=Digest.choices, initial=Digest.DAILY)

    def __init__(self, *args, for_enterprise_user=False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_enterprise_user:
            del self.fields["enterprise"]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("watch"), choices=ItemKind.choices)
    text = forms.CharField(
        label=_("mark, competitor or field name"),
        max_length=200,
        required=False,
        help_text=_(
            "Own trademark: the word mark. Competitor: the applicant's name. Field: a label (optional)."
        ),
    )
    nice_classes = forms.CharField(
        label=_("Nice classes"), max_length=200, required=False, help_text=_("For a mark, e.g. 30, 32")
    )
    application_number = forms.CharField(label=_("patent application number"), max_length=30, required=False)
    ipc_prefixes = forms.CharField(
        label=_("IPC codes"), max_length=300, required=False, help_text=_("For a field, e.g. A01B, H01M 10")
    )
    keywords = forms.CharField(
        label=_("keywords"), max_length=300, required=False, help_text=_("For a field, separated by commas")
    )
