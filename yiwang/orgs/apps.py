from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "yiwang.orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from yiwang.orgs import lookups  # noqa: F401  (connects its cache-clearing signals)
