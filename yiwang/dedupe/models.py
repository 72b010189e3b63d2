"""The near-duplicate index (a few hashes per message) and the duplicates found on intake."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SketchKey(models.Model):
    """One of the smallest piece hashes of a message (see yiwang/lib/neardup.py)."""

    message = models.ForeignKey(
        "intake.Message", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "message"], name="dedupe_key_message"),
            models.Index(fields=["message"], name="dedupe_of_message"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.key}"


class Duplicate(models.Model):
    """An earlier message about the same matter, found when ``message`` came in."""

    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="duplicates",
    )
    earlier = models.ForeignKey(
        "intake.Message",
        verbose_name=_("earlier message"),
        on_delete=models.CASCADE,
        related_name="later_duplicates",
    )
    resemblance = models.FloatField(_("resemblance"))
    same_citizen = models.BooleanField(_("same citizen"), default=False)
    found_at = models.DateTimeField(_("found at"))

    class Meta:
        ordering = ["-same_citizen", "-resemblance"]
        verbose_name = _("near-duplicate")
        verbose_name_plural = _("near-duplicates")
        constraints = [
            models.UniqueConstraint(fields=["message", "earlier"], name="duplicate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ~ {self.earlier_id}"
