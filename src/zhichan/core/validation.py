"""Field cleaners shared by the apps' services.

Each takes the raw value (from a form, the API or a command), the field's name and the dict
of errors being collected, appends a translated message under the field when the value is
bad, and returns the cleaned value, so a service reports every bad field at once.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_text(
    value, field: str, errors: dict, *, required: bool = False, max_length: int | None = None
) -> str:
    """The value stripped; "" for None. Numbers are taken as their text; lists and the like are refused."""
    if value is None:
        value = ""
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    elif not isinstance(value, str):
        errors.setdefault(field, []).append(_("Must be text."))
        return ""
    value = value.strip()
    if "\x00" in value:
        errors.setdefault(field, []).append(_("Contains a NUL character."))
        return ""
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    if max_length and len(value) > max_length:
        errors.setdefault(field, []).append(
            _("At most %(n)d characters (this has %(m)d).") % {"n": max_length, "m": len(value)}
        )
    return value


def required_text(value, field: str, max_length: int | None = None) -> str:
    """clean_text for a single required field: raises ValidationError instead of collecting."""
    errors: dict = {}
    value = clean_text(value, field, errors, required=True, max_length=max_length)
    if errors:
        raise ValidationError(errors)
    return value
