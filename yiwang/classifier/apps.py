from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassifierConfig(AppConfig):
    name = "yiwang.classifier"
    verbose_name = _("Machine classification")
