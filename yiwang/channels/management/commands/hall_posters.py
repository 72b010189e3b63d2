from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.channels.models import Campaign
from yiwang.channels.posters import NoHalls, write_region_zip
from yiwang.documents.fonts import FontMissing
from yiwang.orgs.models import Region


class Command(BaseCommand):
    help = (
        "Write the A4 QR-code posters of every active service hall of a region (and of the "
        "regions below it) into one ZIP file, one PDF per hall."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="GB/T 2260 code, e.g. 330100")
        parser.add_argument("--out", required=True, type=Path, help="the ZIP file to write")
        parser.add_argument("--campaign", default="", help="slug: codes that end with it")
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes rendering the pages (default: one per core)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"There is no region with the code {options['region']!r}.")
        campaign = None
        if options["campaign"]:
            campaign = Campaign.objects.filter(slug=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"There is no campaign {options['campaign']!r}.")
        out: Path = options["out"]
        started = time.perf_counter()
        partial = out.with_name(out.name + ".partial")
        try:
            with partial.open("wb") as stream:
                count = write_region_zip(region, stream, campaign, options["workers"])
        except (NoHalls, FontMissing, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        partial.replace(out)  # no half-written ZIP under the asked name
        seconds = time.perf_counter() - started
        self.stdout.write(f"{count} posters written to {out} in {seconds:.1f} s")
