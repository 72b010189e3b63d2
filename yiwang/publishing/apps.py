from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "yiwang.publishing"
    label = "publishing"
    verbose_name = _("Publication")
    default_auto_field = "django.db.models.BigAutoField"
