"""What leaders look at: public support of messages, and each day's hot topics."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicSupport(models.Model):
    """Votes a message received where its channel has them (a public board's likes)."""

    message = models.OneToOneField(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="public_support",
    )
    likes = models.PositiveIntegerField(_("likes"), default=0)
    dislikes = models.PositiveIntegerField(_("dislikes"), default=0)

    class Meta:
        verbose_name = _("public support")
        verbose_name_plural = _("public support")

    def __str__(self) -> str:
        return f"{self.message_id}: +{self.likes} -{self.dislikes}"


class Topic(models.Model):
    """One hot topic of a day: messages of the last days grouped by what they are about."""

    day = models.DateField(_("day"))
    window_days = models.PositiveSmallIntegerField(_("days looked at"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    words = models.JSONField(_("key words"), default=list)
    title = models.CharField(_("representative title"), max_length=200)
    representative = models.ForeignKey(
        "intake.Message",
        verbose_name=_("representative message"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    volume = models.PositiveIntegerField(_("messages"))
    recent = models.PositiveIntegerField(_("messages on the day"))
    growth = models.FloatField(_("growth"))
    support = models.PositiveIntegerField(_("public support"))
    score = models.FloatField(_("score"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["day", "rank"]
        verbose_name = _("hot topic")
        verbose_name_plural = _("hot topics")
        constraints = [models.UniqueConstraint(fields=["day", "rank"], name="topic_rank_once")]

    def __str__(self) -> str:
        return f"{self.day} #{self.rank} {self.title}"


class TopicMember(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="members")
    message = models.ForeignKey("intake.Message", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()  # 0: nearest the topic's centre

    class Meta:
        ordering = ["topic", "position"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "message"], name="topic_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.message_id}"
