"""Which enterprise a user acts for."""

from zhichan.accounts.models import Role


def enterprise_of(user):
    """The enterprise an enterprise user represents (confirmed by an administrator), else None."""
    if user is None or not user.is_authenticated or getattr(user, "role", None) != Role.ENTERPRISE:
        return None
    return user.enterprise if user.enterprise_id else None
