"""``manage.py classifier import FILE`` — labelled historical messages to train on.

The other subcommands of issue 4 (train, evaluate, activate, export) join this command as the
engine lands; each is a subparser here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.classifier.imports import Columns, import_examples
from yiwang.classifier.models import Target
from yiwang.lib.tables import UnreadableTable, read_table


class Command(BaseCommand):
    help = "Machine classification: import labelled messages to train on."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        load = commands.add_parser("import", help="import labelled messages (CSV/XLSX)")
        load.add_argument("file", type=Path)
        load.add_argument("--target", choices=Target.values, default=Target.CATEGORY)
        load.add_argument("--title-column", default="title")
        load.add_argument("--text-column", default="text")
        load.add_argument("--label-column", default="label")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = read_table(path.read_bytes(), path.name)
        except (OSError, UnreadableTable) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        columns = Columns(
            text=options["text_column"],
            label=options["label_column"],
            title=options["title_column"],
        )
        report = import_examples(table, Target(options["target"]), columns, path.name)
        for error in report.errors[:50]:
            self.stderr.write(str(error))
        if report.errors:
            more = len(report.errors) - 50
            raise CommandError(
                "Nothing was imported." + (f" ({more} more errors)" if more > 0 else "")
            )
        self.stdout.write(f"{report.created} examples imported, {report.skipped} already there")
