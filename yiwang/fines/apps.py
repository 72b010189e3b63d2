from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yiwang.fines"
    verbose_name = _("Fines")

    def ready(self) -> None:
        from yiwang.fines.payments import OWNER, on_payment_finished
        from yiwang.payments.listeners import listen

        listen(OWNER, on_payment_finished)
