from django import template

from yiwang.casework.machine import event_label
from yiwang.intake.models import EventKind, MessageEvent
from yiwang.publishing.models import PUBLICATION_STEP_LABELS

register = template.Library()


@register.filter
def history_label(event: MessageEvent) -> str:
    """What a history line says: the move's name, or the event kind for other events."""
    if event.kind == EventKind.PUBLICATION and event.action in PUBLICATION_STEP_LABELS:
        return str(PUBLICATION_STEP_LABELS[event.action])
    return event_label(str(event.get_kind_display()), event.action)
