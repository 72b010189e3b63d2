"""Add the TipDM 2020 message-board messages (real, anonymised) on top of the demo data.

They are read from ``../shared/data`` when it is there and never copied into the repository.
Their seven first-level labels map onto our major categories; a message labelled only at the
major level keeps that node, flagged as partial. The board's places are anonymised ("A市"),
so every message is filed under the demo province itself.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from yiwang.classifier.imports import Columns, import_examples
from yiwang.classifier.models import Target
from yiwang.demo.loader import already_loaded
from yiwang.intake.actions import SubmissionContext, do_submit_message
from yiwang.intake.models import (
    Channel,
    EventKind,
    Message,
    MessageEvent,
    MessageState,
    Nature,
)
from yiwang.intake.validation import (
    IMPORT_CONTENT_LIMIT,
    InvalidInput,
    SubmissionInput,
    validate_submission,
)
from yiwang.lib.tables import ImportReport, Row, RowError, Table, read_table
from yiwang.orgs.models import Region
from yiwang.taxonomy.models import Category, TaxonomyVersion
from yiwang.taxonomy.routing import route_lead_department

TIPDM_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "data" / "tipdm2020"
PROVINCE_CODE = "330000"
LABEL_TO_MAJOR = {
    "城乡建设": "01",
    "环境保护": "06",
    "交通运输": "04",
    "教育文体": "08",
    "劳动和社会保障": "11",
    "商贸旅游": "23",
    "卫生计生": "13",
}
SOURCE = "tipdm2020"


def load_tipdm_messages(path: Path, *, seed: int = 2020, days: int = 14) -> ImportReport:
    table = read_table(path.read_bytes(), path.name)
    report = ImportReport()
    version = TaxonomyVersion.objects.get(is_active=True)
    majors = {c.code: c for c in Category.objects.filter(version=version, depth=1)}
    province = Region.objects.get(code=PROVINCE_CODE)
    rng = random.Random(seed)
    now = timezone.now()
    for row in table.rows:
        at = now - dt.timedelta(minutes=rng.randint(0, days * 24 * 60))
        _import_row(row, report, majors, province, at)
    return report


def load_tipdm_training(path: Path) -> ImportReport:
    """The same messages as labelled examples for the classifier (labels as major codes), as
    a site would import its history with ``manage.py classifier import``."""
    table = read_table(path.read_bytes(), path.name)
    coded = [
        Row(row.number, {**row.values, "label": LABEL_TO_MAJOR.get(row.get("label"), "")})
        for row in table.rows
    ]
    usable = Table(table.header, [row for row in coded if row.get("label")])
    return import_examples(usable, Target.CATEGORY, Columns(), SOURCE)


def _import_row(
    row: Row,
    report: ImportReport,
    majors: dict[str, Category],
    province: Region,
    at: dt.datetime,
) -> None:
    token = f"{SOURCE}-{row.number:06d}"
    if already_loaded(token):
        report.skipped += 1
        return
    major = majors.get(LABEL_TO_MAJOR.get(row.get("label"), ""))
    if major is None:
        report.errors.append(RowError(row.number, "label", "unknown label"))
        return
    text = row.get("text")
    raw = SubmissionInput(
        title=row.get("title")[:100] or text[:30],
        content=text,
        nature=Nature.OTHER,
        region=province.code,
    )
    try:
        clean = validate_submission(raw, content_limit=IMPORT_CONTENT_LIMIT)
    except InvalidInput as exc:
        field, errors = next(iter(exc.errors.items()))
        report.errors.append(RowError(row.number, field, errors[0].message))
        return
    context = SubmissionContext(
        channel=Channel.IMPORT,
        submission_token=token,
        source=SOURCE,
        submitted_at=at,
        suggest_later=True,  # filed at once below: nothing to suggest
    )
    result = do_submit_message(clean, context)
    if not result.created:
        report.skipped += 1
        return
    _file_under(result.message, major)
    report.created += 1


def _file_under(message: Message, major: Category) -> None:
    """The board's label is a human decision made at the major level: file it there."""
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            category=major,
            category_is_partial=True,
            lead_department=route_lead_department(major, message.region),
            state=MessageState.TRIAGED,
            cleared_at=message.submitted_at,
            cleared_day=message.due_day,
        )
        MessageEvent.objects.create(
            message=message,
            at=message.submitted_at,
            kind=EventKind.CASE_ACTION,
            action="triage",
            from_state=MessageState.NEW,
            to_state=MessageState.TRIAGED,
            note=SOURCE,
        )
