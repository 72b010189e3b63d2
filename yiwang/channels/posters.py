"""Posters of the service halls' QR codes: one hall's PDF, a region's posters as a ZIP.

Fonts are prepared once per ZIP (``poster_pdf.PosterFont``); with ``workers`` > 1 the pages
are rendered by that many processes (spawned: they hold no database connection), in
batches, and written to the ZIP in order by this one.
"""

from __future__ import annotations

import multiprocessing
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path
from typing import IO

from django.db.models import Q, QuerySet

from yiwang.channels.models import FIRST_GENERATION, Campaign
from yiwang.channels.poster_pdf import (
    PosterText,
    file_name,
    poster_font,
    render_batch,
    render_poster,
)
from yiwang.channels.references import token_for, url_for
from yiwang.orgs.models import Region, ServiceHall

BATCH = 50  # posters per task sent to a worker process


class NoHalls(Exception):
    """The region (with the regions below it) has no active service hall."""

    def __init__(self, region: Region) -> None:
        super().__init__(f"The region {region.code} {region.name_zh} has no active service hall.")
        self.region = region


def poster_for(hall: ServiceHall, campaign: Campaign | None = None) -> PosterText:
    """What the hall's poster prints: its current code (``hall.qr_code`` preloaded or not)."""
    code = getattr(hall, "qr_code", None)
    generation = code.generation if code else FIRST_GENERATION
    token = token_for(hall, campaign, generation=generation)
    return PosterText(
        hall_code=hall.code,
        hall_name=hall.name_zh,
        address=hall.address_zh,
        region_name=hall.region.name_zh,
        url=url_for(token),
        generation=generation,
        campaign_name=campaign.name_zh if campaign else "",
    )


def single_poster_pdf(hall: ServiceHall, campaign: Campaign | None = None) -> bytes:
    poster = poster_for(hall, campaign)
    with poster_font(poster.texts()) as font:
        return render_poster(font.path, poster)


def halls_of(region: Region) -> QuerySet[ServiceHall]:
    """The active halls of the region and of the regions below it (at most two levels)."""
    below = Q(region=region) | Q(region__parent=region) | Q(region__parent__parent=region)
    return (
        ServiceHall.objects.filter(below, is_active=True)
        .select_related("region", "qr_code")
        .order_by("code")
    )


def _rendered(font_path: Path, posters: Sequence[PosterText], workers: int) -> Iterator[bytes]:
    if workers <= 1 or len(posters) <= BATCH:
        yield from (render_poster(font_path, poster) for poster in posters)
        return
    batches = [list(posters[i : i + BATCH]) for i in range(0, len(posters), BATCH)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for pdfs in pool.map(render_batch, repeat(font_path), batches):
            yield from pdfs


def write_zip(posters: Sequence[PosterText], out: IO[bytes], workers: int = 1) -> int:
    """Every poster into one ZIP (PDFs are compressed already: stored, not deflated)."""
    texts = [text for poster in posters for text in poster.texts()]
    taken: set[str] = set()
    with poster_font(texts) as font, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for poster, pdf in zip(posters, _rendered(font.path, posters, workers), strict=True):
            archive.writestr(file_name(poster.hall_code, poster.hall_name, taken), pdf)
    return len(posters)


def write_region_zip(
    region: Region, out: IO[bytes], campaign: Campaign | None = None, workers: int = 1
) -> int:
    """The posters of every active hall of the region into ``out``; ``NoHalls`` if none."""
    posters = [poster_for(hall, campaign) for hall in halls_of(region)]
    if not posters:
        raise NoHalls(region)
    return write_zip(posters, out, workers)
