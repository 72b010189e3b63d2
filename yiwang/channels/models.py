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


class ImportSource(models.Model):
    """A system messages are imported from, with the column mapping its files use.

    ``mapping`` maps our field (``title``, ``content``, ``external_id`` …, see
    ``channels/imports/mapping.py``) to the file's column header. The name is stored on every
    imported message as its ``source``: with the external id it makes a re-import idempotent.
    """

    name = models.CharField(_("name"), max_length=128, unique=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    sheet = models.CharField(_("worksheet (XLSX)"), max_length=64, blank=True)
    date_format = models.CharField(
        _("date format"),
        max_length=32,
        blank=True,
        help_text=_("As in Python's strptime, e.g. %Y/%m/%d %H:%M; empty: common formats."),
    )
    default_region = models.CharField(_("default region code"), max_length=12, blank=True)
    default_nature = models.CharField(_("default nature"), max_length=16, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for its column mapping")
    QUEUED = "queued", _("Queued")
    CHECKING = "checking", _("Checking every row")
    WRITING = "writing", _("Importing")
    DONE = "done", _("Finished")
    REJECTED = "rejected", _("Rejected: nothing imported")
    FAILED = "failed", _("Stopped by an error")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing: import only if every row is valid")
    VALID_ROWS = "valid", _("Import the valid rows and list the others")


class ImportRun(models.Model):
    """One import of one file: its options, progress, counts and the first errors."""

    source = models.ForeignKey(
        ImportSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="runs"
    )
    # A name in private storage (the page) or an absolute path (the command).
    file_name = models.CharField(_("stored file"), max_length=1000)
    original_name = models.CharField(_("file name"), max_length=200)
    mode = models.CharField(
        _("mode"), max_length=8, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    dry_run = models.BooleanField(_("dry run (check only, write nothing)"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)  # of the current pass, 0–1
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    valid_count = models.PositiveIntegerField(_("valid rows"), default=0)
    created_count = models.PositiveIntegerField(_("messages created"), default=0)
    skipped_count = models.PositiveIntegerField(_("rows already imported"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates of earlier messages"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # The first errors, each {"row": 12, "column": "来电时间", "message": "..."}.
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.source} {self.original_name} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.WRITING}


class Gateway(models.Model):
    """A messaging gateway (an SMS operator, a WeChat service account) that posts messages.

    Its shared secret signs every request (HMAC-SHA256) and must be readable to check them, so
    it is stored encrypted with the site's key ring, like personal data (decision 0023).
    """

    name = models.SlugField(_("name in addresses"), max_length=64, unique=True)
    label = models.CharField(_("name"), max_length=200, blank=True)
    key_id = models.CharField(_("key id"), max_length=32, unique=True)
    secret_encrypted = models.TextField()
    is_active = models.BooleanField(_("active"), default=True)
    default_region = models.CharField(_("default region code"), max_length=12)
    default_nature = models.CharField(_("default nature"), max_length=16, default="other")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("messaging gateway")
        verbose_name_plural = _("messaging gateways")

    def __str__(self) -> str:
        return self.label or self.name


class GatewayEvent(models.Model):
    """One accepted delivery of a gateway: its event id once (replays are refused) and the
    sender's address, encrypted, for the reply."""

    gateway = models.ForeignKey(
        Gateway, verbose_name=_("gateway"), on_delete=models.PROTECT, related_name="events"
    )
    event_id = models.CharField(_("event id"), max_length=64)
    # Usually one event per message; more when a citizen sends the same words again.
    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="gateway_events",
    )
    sender_encrypted = models.TextField()
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("gateway event")
        verbose_name_plural = _("gateway events")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway_id}:{self.event_id}"
