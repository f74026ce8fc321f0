"""Navigation helpers of the impact report."""

from django import template

from accounts.access import may
from accounts.permissions import VIEW_DASHBOARD

register = template.Library()


@register.simple_tag(takes_context=True)
def can_view_impact(context) -> bool:
    """Whether the signed-in user may open the impact report of the current administration."""
    request = context.get("request")
    administration = context.get("current_administration")
    if request is None or not administration:
        return False
    return may(request, VIEW_DASHBOARD, administration)
