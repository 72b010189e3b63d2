"""``manage.py classifier …`` — the classifier's commands.

- ``import FILE.csv|FILE.xlsx``: labelled historical messages to train on;
  ``import --model FILE``: a model artefact exported elsewhere, checked and kept as a version;
- ``train --target T``: train, evaluate on the held-out slice, activate if not worse;
- ``evaluate --target T [--number N]``: a version's figures on today's held-out slice;
- ``activate --target T N``: make version N the one in use (also a rollback);
- ``export --target T [N] OUT``: write a version's artefact (default: the active one) to OUT;
- ``suggest``: suggestions for every new message that has none (after a first training).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.classifier.engine import ModelFileError, loads
from yiwang.classifier.imports import Columns, import_examples
from yiwang.classifier.learning import do_import_version, do_retrain, examples_for, measure, split
from yiwang.classifier.models import ModelVersion, Target
from yiwang.classifier.registry import ArtefactCorrupt, do_activate, read_artefact
from yiwang.classifier.suggest import do_suggest
from yiwang.intake.models import Message, MessageState
from yiwang.lib.tables import UnreadableTable, read_table


class Command(BaseCommand):
    help = "Machine classification: import, train, evaluate, activate, export, suggest."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        load = commands.add_parser("import", help="import labelled messages (CSV/XLSX)")
        load.add_argument("file", type=Path)
        load.add_argument("--target", choices=Target.values, default=Target.CATEGORY)
        load.add_argument("--title-column", default="title")
        load.add_argument("--text-column", default="text")
        load.add_argument("--label-column", default="label")
        load.add_argument("--model", action="store_true", help="FILE is a model artefact")
        load.add_argument("--activate", action="store_true", help="with --model: use it now")
        train = commands.add_parser("train", help="train and activate if not worse")
        train.add_argument("--target", choices=Target.values, default=Target.CATEGORY)
        train.add_argument("--keep-only", action="store_true", help="do not activate")
        evaluate = commands.add_parser("evaluate", help="a version on the held-out slice")
        evaluate.add_argument("--target", choices=Target.values, default=Target.CATEGORY)
        evaluate.add_argument("--number", type=int, help="default: the active version")
        suggest = commands.add_parser("suggest", help="suggest for new messages without any")
        suggest.add_argument("--again", action="store_true", help="also those that have some")
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
            "train": self.train,
            "evaluate": self.evaluate,
            "suggest": self.suggest,
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

    def train(self, options: dict[str, Any]) -> None:
        outcome = do_retrain(Target(options["target"]), activate=not options["keep_only"])
        if outcome.version is None:
            raise CommandError(f"Nothing trained: {outcome.why}.")
        metrics = outcome.version.metrics
        self.stdout.write(
            f"{outcome.version}: {outcome.examples} examples, macro-F1 {metrics['macro_f1']:.4f}, "
            f"accuracy {metrics['accuracy']:.4f} on {metrics['messages']} held out; "
            + ("activated" if outcome.activated else "not activated")
            + f" ({outcome.why})"
        )

    def evaluate(self, options: dict[str, Any]) -> None:
        target = Target(options["target"])
        version = self._version(target, options["number"])
        try:
            model = loads(read_artefact(version), sha256=version.sha256)
        except (ArtefactCorrupt, ModelFileError) as exc:
            raise CommandError(str(exc)) from exc
        _train, test = split(list(examples_for(target)))
        if not test:
            raise CommandError("No held-out examples to evaluate on.")
        metrics = measure(model, test)
        self.stdout.write(
            f"{version} on {metrics['messages']} held-out examples: macro-F1 "
            f"{metrics['macro_f1']:.4f}, accuracy {metrics['accuracy']:.4f}, "
            f"coverage {metrics['coverage']:.4f}"
        )
        for label, figures in sorted(metrics["per_label"].items()):
            self.stdout.write(
                f"  {label}: precision {figures['precision']:.3f} recall {figures['recall']:.3f} "
                f"F1 {figures['f1']:.3f} ({figures['support']})"
            )

    def suggest(self, options: dict[str, Any]) -> None:
        new = Message.objects.filter(state=MessageState.NEW)
        if not options["again"]:
            new = new.exclude(suggestions__target=Target.CATEGORY)
        ids = list(new.values_list("pk", flat=True))
        done = sum(do_suggest(ids[i : i + 500], again=True) for i in range(0, len(ids), 500))
        self.stdout.write(f"{done} messages got suggestions")

    def import_model(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            version = do_import_version(Target(options["target"]), path.read_bytes())
            if options["activate"]:
                do_activate(None, version)
        except (OSError, ModelFileError, ArtefactCorrupt) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        state = "active" if options["activate"] else "kept, not active"
        self.stdout.write(f"{version} imported from {path} ({state})")

    def import_examples(self, options: dict[str, Any]) -> None:
        if options["model"]:
            self.import_model(options)
            return
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
