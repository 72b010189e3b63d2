from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.accounts.apikeys import (
    SCOPES,
    MissingDepartment,
    UnknownScope,
    do_issue_api_client,
)
from yiwang.accounts.models import ApiClient
from yiwang.orgs.models import Department


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)  # argparse reports it as an invalid value
    return value


class Command(BaseCommand):
    help = "Issue an API key. The key is printed once and cannot be shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--scope", action="append", default=[], choices=sorted(SCOPES), required=True
        )
        parser.add_argument("--per-minute", type=positive_int, default=600)
        parser.add_argument("--department", help="short code; needed for messages:read")

    def handle(self, *args: Any, **options: Any) -> None:
        if ApiClient.objects.filter(name=options["name"]).exists():
            raise CommandError("An API client with this name exists already.")
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
        except (UnknownScope, MissingDepartment) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"client {client.name} scopes={','.join(client.scopes)}")
        self.stdout.write(key)
