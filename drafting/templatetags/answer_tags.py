"""Navigation helper of the answer bank."""

from django import template

from accounts.access import may
from accounts.permissions import WORK_CASES

register = template.Library()


@register.simple_tag(takes_context=True)
def can_use_answer_bank(context) -> bool:
    """Whether the signed-in user works cases of the current administration (agents, managers,
    administrators): the answer bank is theirs to search, fill and use."""
    request = context.get("request")
    administration = context.get("current_administration")
    if request is None or not administration:
        return False
    return may(request, WORK_CASES, administration)
