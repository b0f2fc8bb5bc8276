"""Page forms; they only collect input, ipdata/industry_services.py decides what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class IndustryDefinitionForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    description = forms.CharField(
        label=_("description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    ipc_codes = forms.CharField(
        label=_("IPC codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Sections, classes, subclasses or groups, separated by commas: A01B, A01C, A61K 36, C10."
        ),
    )
    keywords = forms.CharField(
        label=_("keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Words in the title, abstract or claims, separated by commas. With IPC codes too, a patent "
            "must match one code and one keyword."
        ),
    )
    shared = forms.BooleanField(label=_("shared with all staff"), required=False)

    def __init__(self, *args, definition=None, can_share=False, **kwargs):
        if definition is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": definition.name,
                "description": definition.description,
                "ipc_codes": ", ".join(definition.ipc_codes),
                "keywords": ", ".join(definition.keywords),
                "shared": definition.shared,
            }
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared"]
        for name, field in self.fields.items():
            if name == "shared":
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                field.widget.attrs.setdefault("class", "form-control")
