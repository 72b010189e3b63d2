"""Register a messaging gateway and print its signing secret (shown this once only).

manage.py create_gateway NAME --region CODE [--label TEXT] [--nature NATURE]
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.channels.gateways import do_create_gateway
from yiwang.channels.models import Gateway
from yiwang.intake.models import Nature
from yiwang.orgs.lookups import region_by_code


class Command(BaseCommand):
    help = "Register a messaging gateway (its webhook: POST /api/v1/gateways/NAME/messages)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="letters, digits and dashes; part of the webhook URL")
        parser.add_argument("--region", required=True, help="region code of its messages")
        parser.add_argument("--label", default="")
        parser.add_argument("--nature", default=Nature.OTHER, choices=Nature.values)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if Gateway.objects.filter(name=name).exists():
            raise CommandError(f"A gateway named {name} exists already.")
        if region_by_code(options["region"]) is None:
            raise CommandError(f"There is no region with the code {options['region']}.")
        gateway, secret = do_create_gateway(
            name,
            default_region=options["region"],
            label=options["label"],
            default_nature=options["nature"],
        )
        self.stdout.write(f"gateway: {gateway.name} (key id {gateway.key_id})")
        self.stdout.write(f"webhook: POST /api/v1/gateways/{gateway.name}/messages")
        self.stdout.write(f"secret (shown once; store it in the gateway): {secret}")
