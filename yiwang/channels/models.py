"""Where messages come from beyond the web form: campaigns (and, in this app, the service
halls' QR codes, the messaging gateways' webhook and bulk imports)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
