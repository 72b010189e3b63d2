"""The scheduler process: every few seconds, enqueue the periodic jobs that fell due."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from yiwang.jobs.scheduler import do_schedule_due_jobs


class Command(BaseCommand):
    help = "Run the scheduler that enqueues periodic jobs (one row per job and slot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between passes")
        parser.add_argument("--once", action="store_true", help="run one pass and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write("scheduler started")
        while not stop.is_set():
            close_old_connections()
            for job, slot in do_schedule_due_jobs():
                self.stdout.write(f"enqueued {job} for {slot.isoformat()}")
            if options["once"]:
                break
            stop.wait(options["interval"])
        self.stdout.write("scheduler stopped")
