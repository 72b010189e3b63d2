"""Where messages come from beyond the web form: campaigns (and, in this app, the service
halls' QR codes, the messaging gateways' webhook and bulk imports)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

FIRST_GENERATION = 1


class Campaign(models.Model):
    """A named call for messages with a time window and themes (e.g. 我向总理说句话)."""

    slug = models.SlugField(_("short name in addresses"), max_length=64, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    themes = models.ManyToManyField(
        "taxonomy.Theme", verbose_name=_("themes"), blank=True, related_name="campaigns"
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name_zh

    def is_open(self, at: dt.datetime) -> bool:
        """Whether a message written at ``at`` counts towards the campaign."""
        return self.starts_at <= at < self.ends_at

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_zh

    def intro(self, language: str) -> str:
        return self.intro_en if language == "en" and self.intro_en else self.intro_zh


class HallCode(models.Model):
    """The current generation of a hall's QR codes; revoking one moves to the next.

    A hall without a row is at generation 1: printing a poster writes nothing. A code carries
    the generation it was made for and is valid only while that is still the current one.
    """

    hall = models.OneToOneField(
        "orgs.ServiceHall",
        verbose_name=_("service hall"),
        on_delete=models.CASCADE,
        related_name="qr_code",
    )
    generation = models.PositiveIntegerField(_("generation"), default=FIRST_GENERATION)

    class Meta:
        verbose_name = _("service hall QR code")
        verbose_name_plural = _("service hall QR codes")

    def __str__(self) -> str:
        return f"{self.hall_id} #{self.generation}"


class HallCodeRevocation(models.Model):
    """Who retired a hall's printed codes, when and why. Append-only."""

    hall = models.ForeignKey(
        "orgs.ServiceHall",
        verbose_name=_("service hall"),
        on_delete=models.CASCADE,
        related_name="qr_revocations",
    )
    generation = models.PositiveIntegerField(_("new generation"))
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("revocation of a hall's QR codes")
        verbose_name_plural = _("revocations of halls' QR codes")

    def __str__(self) -> str:
        return f"{self.hall_id} → #{self.generation}"


class RejectionReason(models.TextChoices):
    MALFORMED = "malformed", _("Not a hall reference (garbled or too long)")
    FORGED = "forged", _("Signature does not match (forged or altered)")
    REVOKED = "revoked", _("Revoked (an older generation of the hall's codes)")
    EXPIRED = "expired", _("Expired (its campaign has ended)")
    UNKNOWN_HALL = "unknown_hall", _("The hall no longer exists or is closed")


class ReferenceRejection(models.Model):
    """A hall reference that was refused. Never the citizen's text, never the whole token."""

    at = models.DateTimeField(_("time"), db_index=True)
    reason = models.CharField(_("reason"), max_length=16, choices=RejectionReason.choices)
    token_hash = models.CharField(_("hash of the reference"), max_length=64)
    ip_prefix = models.CharField(_("network of the client"), max_length=64, blank=True)
    hall_id = models.PositiveBigIntegerField(_("hall id it claimed"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("rejected hall reference")
        verbose_name_plural = _("rejected hall references")

    def __str__(self) -> str:
        return f"{self.reason} {self.at:%Y-%m-%d %H:%M}"
