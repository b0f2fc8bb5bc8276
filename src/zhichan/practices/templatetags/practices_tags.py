from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def newest_practices(context, n=3):
    """The newest published practices, for the home page."""
    from zhichan.practices.views import newest

    request = context.get("request")
    return newest(getattr(request, "user", None), n)
