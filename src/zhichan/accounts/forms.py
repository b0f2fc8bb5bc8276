from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from zhichan.accounts.models import Role, User
from zhichan.accounts.services import SELF_SERVICE_ROLES


class SignupForm(BaseUserCreationForm):
    role = forms.TypedChoiceField(
        label=User._meta.get_field("role").verbose_name,
        choices=[(r.value, r.label) for r in SELF_SERVICE_ROLES],
        initial=Role.PUBLIC,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "phone", "role", "organisation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["email"].required = True
        for name, field in self.fields.items():
            if name != "role":
                field.widget.attrs.setdefault("class", "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # Bootstrap shows the field in red
            if name in self.fields and name != "role":
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def clean_username(self):
        # Taken names are refused whatever their case, like Django's own UserCreationForm.
        username = self.cleaned_data.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(User._meta.get_field("username").error_messages["unique"], "unique")
        return username

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.ENTERPRISE and not (data.get("organisation") or "").strip():
            self.add_error("organisation", _("Enterprise users must name their enterprise or organisation."))
        return data
