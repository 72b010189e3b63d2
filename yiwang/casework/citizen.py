"""What the citizen is told outside the tracking page: the answer, by e-mail and text message.

Queued in the transaction of the move that makes the answer public (a supervisor's approval or
the desk's own answer), through the notification outbox; never with the query code.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from yiwang.intake.models import Message
from yiwang.notify.actions import queue_to_citizen

GATEWAY_REPLY_CHARS = 500


def tell_citizen_of_answer(message: Message) -> int:
    """Queue the e-mail and text message saying the answer is there, to the citizen and to
    every citizen whose message was merged into this one (并单); how many were queued."""
    assert message.reply_approved_at is not None
    answered_at = message.reply_approved_at.isoformat()
    merged = Message.objects.filter(merge__into=message).order_by("pk")
    return sum(_tell(m, message, answered_at) for m in [message, *merged])


def _tell(citizen_of: Message, answered: Message, answered_at: str) -> int:
    link = f"{settings.YIWANG_SITE_URL}/track/"
    with translation.override(citizen_of.language):
        number = citizen_of.tracking_number
        subject = _("Your message %(number)s has been answered") % {"number": number}
        context = {"message": citizen_of, "reply": answered.reply_text, "link": link}
        body = render_to_string("casework/answer_email.txt", context)
        sms = _(
            "Your message %(number)s has been answered. Read the answer at %(link)s with your "
            "tracking number and query code."
        ) % {"number": number, "link": link}
        # A gateway (WeChat, SMS service) is a conversation: the answer itself goes back.
        gateway_text = _("Answer to your message %(number)s: %(reply)s") % {
            "number": number,
            "reply": Truncator(answered.reply_text).chars(GATEWAY_REPLY_CHARS),
        }
    # One per published answer: a new answer after re-handling is told again.
    key = f"answer:{citizen_of.pk}:{answered_at}"
    return queue_to_citizen(citizen_of, key, subject, body, sms, gateway_text)
