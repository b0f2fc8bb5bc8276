"""Account actions: self-service sign-up for the public and enterprises."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhichan.accounts.models import Role, User
from zhichan.core.permissions import PermissionDenied

# The only roles a person may give themselves; staff roles are granted by administrators.
SELF_SERVICE_ROLES = (Role.PUBLIC, Role.ENTERPRISE)


def do_sign_up(
    actor,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    organisation: str = "",
) -> User:
    """Create a public or enterprise account; a taken username is a field error, never a 500."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        raise PermissionDenied("already signed in")
    if role not in SELF_SERVICE_ROLES:
        raise PermissionDenied(f"role {role!r} cannot be chosen at sign-up")
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        email=email,
        phone=phone,
        organisation=organisation if role == Role.ENTERPRISE else "",
    )
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two sign-ups with the same name at once: the unique index decides, the loser is told.
        raise ValidationError(
            {"username": [User._meta.get_field("username").error_messages["unique"]]}
        ) from exc
    return user
