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
    """Queue the e-mail and text message saying the answer is there; how many were queued."""
    assert message.reply_approved_at is not None
    link = f"{settings.YIWANG_SITE_URL}/track/"
    with translation.override(message.language):
        number = message.tracking_number
        subject = _("Your message %(number)s has been answered") % {"number": number}
        body = render_to_string("casework/answer_email.txt", {"message": message, "link": link})
        sms = _(
            "Your message %(number)s has been answered. Read the answer at %(link)s with your "
            "tracking number and query code."
        ) % {"number": number, "link": link}
        # A gateway (WeChat, SMS service) is a conversation: the answer itself goes back.
        gateway_text = _("Answer to your message %(number)s: %(reply)s") % {
            "number": number,
            "reply": Truncator(message.reply_text).chars(GATEWAY_REPLY_CHARS),
        }
    # One per published answer: a new answer after re-handling is told again.
    key = f"answer:{message.pk}:{message.reply_approved_at.isoformat()}"
    return queue_to_citizen(message, key, subject, body, sms, gateway_text)
