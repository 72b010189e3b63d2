from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.accounts.models import ApiClient
from yiwang.payments.webhooks.actions import BadSubscription, do_subscribe
from yiwang.payments.webhooks.models import EVENT_TYPES


class Command(BaseCommand):
    help = (
        "Send an API client's payment events to a URL. The signing secret is printed once "
        "and cannot be shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client", help="the API client's name")
        parser.add_argument("url", help="the callback URL (http or https)")
        parser.add_argument("--event", action="append", default=[], choices=EVENT_TYPES)

    def handle(self, *args: Any, **options: Any) -> None:
        client = ApiClient.objects.filter(name=options["client"], revoked_at__isnull=True).first()
        if client is None:
            raise CommandError("No active API client has this name.")
        if "payments" not in client.scopes:
            raise CommandError("This API client has no payments scope.")
        try:
            subscription, secret = do_subscribe(client, options["url"], options["event"] or None)
        except BadSubscription as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"webhook {subscription.pk} for {client.name}: {subscription.callback_url}"
        )
        self.stdout.write(f"events: {', '.join(subscription.event_types)}")
        self.stdout.write(f"signing secret (shown once): {secret}")
