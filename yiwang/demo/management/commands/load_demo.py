"""Load the demo province, taxonomy, staff and messages (safe to run again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from yiwang.catalogue.generator import generate_catalogue
from yiwang.catalogue.models import ServiceItem
from yiwang.classifier.learning import do_retrain
from yiwang.classifier.models import ModelVersion, Target
from yiwang.classifier.suggest import do_suggest
from yiwang.demo.applications import load_demo_applications
from yiwang.demo.disclosure import load_demo_disclosure
from yiwang.demo.fines import load_demo_fines
from yiwang.demo.loader import (
    DEMO_PASSWORD,
    DEMO_STAFF,
    load_demo_messages,
    load_demo_publications,
    load_demo_staff,
    load_reference_data,
)
from yiwang.demo.realdata import TIPDM_DEFAULT, load_tipdm_messages, load_tipdm_training
from yiwang.insights.actions import do_compute_topics
from yiwang.intake.models import Message, MessageState

DEMO_IMPLEMENTATIONS = 2_000  # a small generated catalogue, so service guides have content


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
        self.stdout.write(f"{load_demo_publications()} demo messages published on the board")
        if not ServiceItem.objects.exists():
            catalogue = generate_catalogue(DEMO_IMPLEMENTATIONS)
            self.stdout.write(
                f"service catalogue: {catalogue.items} items, "
                f"{catalogue.implementations} implementations"
            )
        self.stdout.write(f"{load_demo_applications()} demo applications")
        self.stdout.write(f"{load_demo_disclosure()} demo government information (/open/)")
        for case in load_demo_fines():
            self.stdout.write(
                f"demo parking fine {case.decision_number} {case.plate} ({case.state}): "
                "pay it at /fines/"
            )
        folder: Path = options["real_data"]
        if not options["no_real_data"] and (folder / "messages_labelled.csv").exists():
            report = load_tipdm_messages(folder / "messages_labelled.csv")
            self.stdout.write(
                f"real messages: {report.created} new, {report.skipped} already there, "
                f"{len(report.errors)} rejected"
            )
            training = load_tipdm_training(folder / "messages_labelled.csv")
            self.stdout.write(f"classifier examples: {training.created} new")
        self.train_first_models()
        topics = do_compute_topics(timezone.localdate())
        self.stdout.write(f"{len(topics)} hot topics today")
        self.stdout.write(f"demo logins (password {DEMO_PASSWORD}):")
        for username, roles, _dept, display in DEMO_STAFF:
            self.stdout.write(f"  {username:18} {', '.join(roles):18} {display}")

    def train_first_models(self) -> None:
        """A first model of each target when there is enough to learn from and none yet, then
        suggestions for the new messages that only had the keywords' so far."""
        trained = False
        for target in Target:
            if ModelVersion.objects.filter(target=target).exists():
                continue
            outcome = do_retrain(target)
            self.stdout.write(f"classifier {target}: {outcome.why}")
            trained = trained or outcome.activated
        new = Message.objects.filter(state=MessageState.NEW).values_list("pk", flat=True)
        ids = list(new)
        done = sum(do_suggest(ids[i : i + 500], again=trained) for i in range(0, len(ids), 500))
        self.stdout.write(f"{done} new messages got suggestions")
