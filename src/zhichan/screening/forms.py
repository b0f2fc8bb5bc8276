from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhichan.screening.features import MAX_LENGTH
from zhichan.screening.services import parse_query


class ScreeningForm(forms.Form):
    mark = forms.CharField(
        label=_("Proposed mark"),
        required=False,
        help_text=_("A word mark: Chinese characters, pinyin or Latin letters, or a mix."),
        widget=forms.TextInput(attrs={"maxlength": MAX_LENGTH * 2, "autocomplete": "off"}),
    )
    classes = forms.CharField(
        label=_("Nice classes"),
        required=False,
        help_text=_("Class numbers 1 to 45, separated by commas, e.g. 30, 32."),
    )
    groups = forms.CharField(
        label=_("Similar groups"),
        required=False,
        help_text=_("Four-digit similar-group codes, e.g. 3002 3006."),
    )
    goods = forms.CharField(
        label=_("Goods or services"),
        required=False,
        help_text=_("Names as in the similar-group table, separated by commas, e.g. 方便面, 饼干."),
    )

    def clean(self):
        data = super().clean()
        try:
            self.query = parse_query(
                data.get("mark"), data.get("classes"), data.get("groups"), data.get("goods")
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return data
