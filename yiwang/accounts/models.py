"""People (staff accounts, optional citizen accounts), API clients and the personal-data audit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Staff belong to a department, which scopes what they see."""

    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    display_name = models.CharField(_("display name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("view_personal_data", _("Can see personal data unmasked (every use is audited)")),
            ("view_all_messages", _("Can see messages of every department")),
            ("view_department_messages", _("Can see the messages of one's own department")),
            ("act_on_messages", _("Can act on messages in one's scope")),
            ("supervise_messages", _("Can decide extensions and reopen messages")),
            ("export_messages", _("Can export messages in one's scope")),
            ("manage_organisations", _("Can maintain organisations and import them")),
            ("manage_taxonomy", _("Can maintain the taxonomy and import versions")),
            ("manage_api_clients", _("Can issue and revoke API keys")),
            ("view_overview", _("Can see the overview and give instructions")),
            ("edit_publications", _("Can edit messages for publication")),
            ("handle_finance", _("Can handle payments and reconciliation")),
            ("handle_enforcement", _("Can handle fines and enforcement cases")),
            ("handle_disclosure", _("Can handle information disclosure")),
            (
                "approve_disclosure",
                _("Can approve, publish and withdraw the information of one's own body"),
            ),
            ("handle_applications", _("Can handle the online applications of one's department")),
            ("supervise_applications", _("Can decide appeals against service ratings")),
            (
                "view_applicant_details",
                _(
                    "Can see the applicant's details unmasked in the applications one handles"
                    " (every use is audited)"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class ApiClient(models.Model):
    """An external caller: integrators, other government systems, payment callers.

    The key is shown once at creation; only its SHA-256 is stored (the key carries 256 random
    bits, so a fast hash is safe, and it keeps authentication cheap on every request).
    """

    name = models.CharField(_("name"), max_length=128, unique=True)
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("A client with staff scopes sees only this department's messages."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PersonalDataAccess(models.Model):
    """One look at unmasked personal data: who, what, when and why. Append-only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
    )
    # What was looked at: a citizen's message or an applicant's application, exactly one.
    message = models.ForeignKey(
        "intake.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
    )
    fields = models.JSONField(_("fields"))
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                name="personal_data_access_one_subject",
                condition=(
                    models.Q(message__isnull=False, application__isnull=True)
                    | models.Q(message__isnull=True, application__isnull=False)
                ),
            )
        ]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.at:%Y-%m-%d %H:%M}"
