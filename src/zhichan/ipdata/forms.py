"""Page forms; they only collect input, ipdata/services.py decides what is acceptable."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.ipdata.models import ImportKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("records"),
        choices=[("", _("Tell from the file")), *ImportKind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=_("file"),
        help_text=_("A CSV or XLSX export with Chinese column headers, or an ST.36 bibliographic XML file."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx,.xml,.txt"}),
    )
