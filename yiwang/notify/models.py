"""In-app notices for staff, and the outbox of e-mails and text messages to be delivered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeStage(models.TextChoices):
    DUE_SOON = "due_soon", _("Reminder: the reply is due soon")  # 催办
    OVERDUE = "overdue", _("Escalation: the reply is overdue")  # 督办


class Notice(models.Model):
    """One in-app notice to one person about one case at one stage of supervision.

    The unique constraint is what makes a reminder exactly-once: a job that runs twice, or
    restarts after dying halfway, cannot write a second row for the same case, stage, deadline
    and person. The deadline is part of the key so that an extension starts a new round.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    stage = models.CharField(_("stage"), max_length=16, choices=NoticeStage.choices)
    deadline = models.DateField(_("reply due by"))
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "stage", "deadline", "recipient"], name="notice_once_per_stage"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return f"{self.stage} {self.message_id} → {self.recipient_id}"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    GATEWAY = "gateway", _("Reply through a messaging gateway")


class OutboxItem(models.Model):
    """An e-mail or text message to deliver at least once.

    The address is not stored: it is read when sending, from the staff member's account or from
    the citizen's encrypted contact on the message, so the outbox holds no personal data.
    """

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    key = models.CharField(_("key"), max_length=120, unique=True)  # one item per purpose
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to staff member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    to_citizen_of = models.ForeignKey(
        "intake.Message",
        verbose_name=_("to the citizen of message"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox item")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_unsent",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_user__isnull=False) | models.Q(to_citizen_of__isnull=False),
                name="outbox_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.key
