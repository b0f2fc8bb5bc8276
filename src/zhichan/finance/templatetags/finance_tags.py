"""{% pledge_flag record %}: a badge where a patent or trademark is under a pledge in force."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from zhichan.finance.services import pledged_right_ids
from zhichan.ipdata.models import Patent

register = template.Library()


@register.simple_tag(takes_context=True)
def pledge_flag(context, record):
    if record is None or record.pk is None:
        return ""
    # One query per page for the ids of pledged rights, however many rows show a flag.
    cache = context.render_context
    if "pledged_right_ids" not in cache:
        cache["pledged_right_ids"] = pledged_right_ids()
    patents, trademarks = cache["pledged_right_ids"]
    if record.pk not in (patents if isinstance(record, Patent) else trademarks):
        return ""
    return format_html(
        '<span class="badge text-bg-warning" data-testid="pledge-flag" title="{}">{}</span>',
        _("This right is pledged; transferring or licensing it needs the pledgee's consent."),
        _("Pledged"),
    )
