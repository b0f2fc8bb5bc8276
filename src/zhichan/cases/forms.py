from django import forms
from django.utils.translation import gettext_lazy as _

from zhichan.cases.models import RatingLevel


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.setdefault("class", "form-control")


class LookupForm(StyledForm):
    number = forms.CharField(label=_("Case number"), max_length=30)
    code = forms.CharField(label=_("Tracking code"), max_length=8)


class SupplementForm(StyledForm):
    text = forms.CharField(
        label=_("Your supplement"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    files = forms.FileField(label=_("Files (PDF, PNG, JPEG)"), required=False)


class RateForm(StyledForm):
    level = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=RatingLevel.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(StyledForm):
    reason = forms.CharField(
        label=_("Why is the matter not settled?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


def add_errors(form, exc):
    """Put a service's ValidationError on the form's fields (unknown fields: on the form)."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
