"""Load the demo province, taxonomy, staff and messages (safe to run again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.demo.loader import (
    DEMO_PASSWORD,
    DEMO_STAFF,
    load_demo_messages,
    load_demo_staff,
    load_reference_data,
)
from yiwang.demo.realdata import TIPDM_DEFAULT, load_tipdm_messages


class Command(BaseCommand):
    help = "Load demo organisations, taxonomy, staff and messages; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--messages", type=int, default=300)
        parser.add_argument(
            "--real-data",
            type=Path,
            default=TIPDM_DEFAULT,
            help="folder of the TipDM 2020 messages; skipped when absent",
        )
        parser.add_argument("--no-real-data", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        load_reference_data()
        self.stdout.write("reference data loaded")
        for username in load_demo_staff():
            self.stdout.write(f"created demo user {username}")
        created = load_demo_messages(options["messages"])
        self.stdout.write(f"{created} new demo messages")
        folder: Path = options["real_data"]
        if not options["no_real_data"] and (folder / "messages_labelled.csv").exists():
            report = load_tipdm_messages(folder / "messages_labelled.csv")
            self.stdout.write(
                f"real messages: {report.created} new, {report.skipped} already there, "
                f"{len(report.errors)} rejected"
            )
        self.stdout.write(f"demo logins (password {DEMO_PASSWORD}):")
        for username, roles, _dept, display in DEMO_STAFF:
            self.stdout.write(f"  {username:18} {', '.join(roles):18} {display}")
