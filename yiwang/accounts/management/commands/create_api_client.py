from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.accounts.apikeys import SCOPES, UnknownScope, do_issue_api_client
from yiwang.orgs.models import Department


class Command(BaseCommand):
    help = "Issue an API key. The key is printed once and cannot be shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--scope", action="append", default=[], choices=sorted(SCOPES))
        parser.add_argument("--per-minute", type=int, default=600)
        parser.add_argument("--department", help="short code; needed for messages:read")

    def handle(self, *args: Any, **options: Any) -> None:
        department = None
        if options["department"]:
            department = Department.objects.filter(short_code=options["department"]).first()
            if department is None:
                raise CommandError("No department has this short code.")
        try:
            client, key = do_issue_api_client(
                options["name"],
                options["scope"],
                rate_limit_per_minute=options["per_minute"],
                department_id=department.pk if department else None,
            )
        except UnknownScope as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"client {client.name} scopes={','.join(client.scopes)}")
        self.stdout.write(key)
