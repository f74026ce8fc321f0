"""The home page's "First steps" panel (drafting/experiment/getting_started.py)."""

from django import template

from accounts.access import may
from accounts.permissions import MANAGE_SETTINGS

from ..experiment.getting_started import Step, getting_started_pending

register = template.Library()


@register.simple_tag(takes_context=True)
def getting_started(context) -> list[Step]:
    """The first steps of the current administration, for those who may take them (its
    administrators, national staff); empty once the required ones are done."""
    request = context.get("request")
    administration = context.get("current_administration")
    if request is None or not administration or not may(request, MANAGE_SETTINGS, administration):
        return []
    return getting_started_pending(administration)
