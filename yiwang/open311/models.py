"""What an Open311 GeoReport v2 client sent beyond the message itself.

The message (text, contact, region) lives in ``intake.Message`` like every other channel's;
this row keeps the Open311-only fields beside it, one to one. None of the contact-like fields
here (``device_id``, ``account_id``) is ever returned by the GET endpoints.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Request(models.Model):
    message = models.OneToOneField(
        "intake.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="open311",
    )
    # The service (leaf category code) the client asked for; the desk still files the message.
    service_code = models.CharField(_("requested service code"), max_length=32)
    # Realtime services answer with the request id; the token is served for completeness.
    token = models.CharField(_("token"), max_length=32, unique=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    long = models.FloatField(_("longitude"), null=True, blank=True)
    address_string = models.CharField(_("address"), max_length=255, blank=True)
    address_id = models.CharField(_("address id"), max_length=64, blank=True)
    device_id = models.CharField(_("device id"), max_length=128, blank=True)
    account_id = models.CharField(_("account id"), max_length=128, blank=True)
    media_url = models.URLField(_("media address"), max_length=500, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return f"{self.service_code} {self.token}"
