"""The password policy's own rule: staff accounts need longer passwords than the public.

The other rules are Django's validators (settings.AUTH_PASSWORD_VALIDATORS): minimum length for
everyone, not like the account's own details, not a common password, not digits only.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with its message in this project's catalogue: Django's own Chinese
    translation of the message is keyed on an older wording and is never used."""

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class StaffMinimumLengthValidator:
    """At least `min_length` characters when the account is a staff account (by its role)."""

    def __init__(self, min_length: int = 12):
        self.min_length = min_length

    def validate(self, password, user=None):
        if user is None or not getattr(user, "is_staff_member", False):
            return
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "Staff accounts need a password of at least %(min_length)d character.",
                    "Staff accounts need a password of at least %(min_length)d characters.",
                    self.min_length,
                ),
                code="password_too_short_for_staff",
                params={"min_length": self.min_length},
            )

    def get_help_text(self):
        return ngettext(
            "Staff accounts need at least %(min_length)d character.",
            "Staff accounts need at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
