from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yiwang.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, sender=self)


def _sync_roles_after_migrate(**kwargs: Any) -> None:
    from yiwang.accounts.actions import do_sync_roles

    do_sync_roles(using=kwargs.get("using", "default"))
