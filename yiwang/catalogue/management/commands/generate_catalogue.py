"""Generate a realistic provincial service catalogue from real item names.

    manage.py generate_catalogue --implementations N [--seed S]

The regions must exist (``load_demo`` or ``import_orgs``); the catalogue must be empty.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.catalogue.generator import generate_catalogue


class Command(BaseCommand):
    help = "Generate a service catalogue of N implementations (deterministic for a seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--implementations", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["implementations"]
        if count < 0:
            raise CommandError("--implementations must be 0 or more.")
        try:
            result = generate_catalogue(count, seed=options["seed"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.themes} themes, {result.items} items, {result.implementations} "
            f"implementations, {result.materials} materials, {result.departments} new bodies"
        )
