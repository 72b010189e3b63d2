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
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from yiwang.accounts.actions import do_sync_roles

    using = kwargs.get("using", "default")
    # Roles name permissions of apps migrated after this one: make sure they all exist.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    do_sync_roles(using=using)
