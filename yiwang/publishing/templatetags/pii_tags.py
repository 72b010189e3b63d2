from django import template

from yiwang.lib import pii

register = template.Library()


@register.filter
def masked(text: str) -> str:
    """The text as a publishing body shows it (yiwang.lib.pii.mask): for public pages."""
    return pii.mask(str(text or ""))
