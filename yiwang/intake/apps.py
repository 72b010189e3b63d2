from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "yiwang.intake"
    verbose_name = _("Message intake")
