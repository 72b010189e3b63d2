"""Re-encrypt personal data with the current key (the first of YIWANG_PII_KEYS): messages'
contact data, messaging gateways' secrets and their senders' addresses.

Rotation: put the new key first in YIWANG_PII_KEYS, keep the old one after it, restart, run
this command, then remove the old key. See docs/personal-data.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from yiwang.channels.gateways import do_reseal_gateway_data
from yiwang.intake.models import Message
from yiwang.intake.personal import PERSONAL_FIELDS, resealed_fields


class Command(BaseCommand):
    help = "Re-encrypt personal data that is not yet under the current key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        columns = [f"{field}_encrypted" for field in PERSONAL_FIELDS]
        changed = 0
        for message in Message.objects.only(*columns).iterator(chunk_size=options["batch"]):
            updates = resealed_fields(message)
            if updates:
                with transaction.atomic():
                    Message.objects.filter(pk=message.pk).update(**updates)
                changed += 1
        self.stdout.write(f"{changed} messages re-encrypted")
        gateway_secrets, senders = do_reseal_gateway_data(options["batch"])
        self.stdout.write(
            f"{gateway_secrets} gateway secrets and {senders} gateway senders re-encrypted"
        )
