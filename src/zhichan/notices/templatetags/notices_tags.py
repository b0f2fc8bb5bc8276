from django import template

from zhichan.notices.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    """The signed-in user's unread notice count, for the navigation badge."""
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
