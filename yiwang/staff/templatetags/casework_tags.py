from django import template

from yiwang.casework.machine import event_label
from yiwang.intake.models import MessageEvent

register = template.Library()


@register.filter
def history_label(event: MessageEvent) -> str:
    """What a history line says: the move's name, or the event kind for other events."""
    return event_label(str(event.get_kind_display()), event.action)
