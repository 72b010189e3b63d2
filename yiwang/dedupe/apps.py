from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupeConfig(AppConfig):
    name = "yiwang.dedupe"
    label = "dedupe"
    verbose_name = _("Near-duplicates")
    default_auto_field = "django.db.models.BigAutoField"
