"""``manage.py classifier …`` — the classifier's commands.

- ``import FILE.csv|FILE.xlsx``: labelled historical messages to train on;
- ``activate --target T N``: make version N the one in use (also a rollback);
- ``export --target T [N] OUT``: write a version's artefact (default: the active one) to OUT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.classifier.imports import Columns, import_examples
from yiwang.classifier.models import ModelVersion, Target
from yiwang.classifier.registry import ArtefactCorrupt, do_activate, read_artefact
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
        activate = commands.add_parser("activate", help="make a version the one in use")
        activate.add_argument("--target", choices=Target.values, default=Target.CATEGORY)
        activate.add_argument("number", type=int)
        export = commands.add_parser("export", help="write a version's artefact to a file")
        export.add_argument("--target", choices=Target.values, default=Target.CATEGORY)
        export.add_argument("--number", type=int, help="default: the active version")
        export.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "import": self.import_examples,
            "activate": self.activate,
            "export": self.export,
        }
        handlers[options["subcommand"]](options)

    def _version(self, target: str, number: int | None) -> ModelVersion:
        versions = ModelVersion.objects.filter(target=target)
        found = versions.filter(number=number) if number else versions.filter(is_active=True)
        version = found.first()
        if version is None:
            raise CommandError(f"No {target} model version {number or '(active)'}.")
        return version

    def activate(self, options: dict[str, Any]) -> None:
        version = self._version(options["target"], options["number"])
        try:
            do_activate(None, version)
        except ArtefactCorrupt as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{version} is now active")

    def export(self, options: dict[str, Any]) -> None:
        version = self._version(options["target"], options["number"])
        try:
            data = read_artefact(version)
        except ArtefactCorrupt as exc:
            raise CommandError(str(exc)) from exc
        out: Path = options["out"]
        out.write_bytes(data)
        self.stdout.write(f"{version}: {len(data)} bytes, sha256 {version.sha256}, to {out}")

    def import_examples(self, options: dict[str, Any]) -> None:
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
