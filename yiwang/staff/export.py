"""The message list exported as CSV or XLSX, in the viewer's scope and with their filters.

Contact columns (name, mobile, e-mail, ID number, decrypted) are there only for staff with
the personal-data permission, and then every exported message is recorded as a look at its
personal data (``PersonalDataAccess``), batch by batch as rows are produced. Without that
permission the title and content go out masked too (``yiwang.lib.pii``): a spreadsheet
travels further than the screen it was made on. Every text cell
is neutralised against formula injection. Both formats hold one batch of rows in memory: the
CSV is streamed, the XLSX written by openpyxl's write-only mode to a temporary file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from yiwang.accounts.models import PersonalDataAccess, User
from yiwang.intake.models import Message
from yiwang.lib import pii
from yiwang.lib.batches import batched
from yiwang.lib.tables import neutralise_formula
from yiwang.staff.queries import full_contact

CHUNK = 1_000
EXPORT_REASON = "export of the message list"
PERSONAL_FIELDS = ("contact_name", "mobile", "email", "id_number")


COLUMNS = (
    ("tracking_number", gettext_lazy("Tracking number")),
    ("submitted_at", gettext_lazy("Submitted at")),
    ("state", gettext_lazy("State")),
    ("nature", gettext_lazy("Nature")),
    ("channel", gettext_lazy("Channel")),
    ("source", gettext_lazy("Source")),
    ("external_id", gettext_lazy("External id")),
    ("region", gettext_lazy("Region code")),
    ("region_name", gettext_lazy("Region")),
    ("lead_department", gettext_lazy("Lead department")),
    ("category", gettext_lazy("Category")),
    ("title", gettext_lazy("Title")),
    ("content", gettext_lazy("Content")),
)
CONTACT_COLUMNS = (
    ("contact_name", gettext_lazy("Contact name")),
    ("mobile", gettext_lazy("Mobile")),
    ("email", gettext_lazy("E-mail")),
    ("id_number", gettext_lazy("ID number")),
)


@dataclass(frozen=True)
class ExportFormat:
    """CSV is for machines (column keys, state codes); XLSX for people (labels)."""

    labels: bool
    personal: bool

    def header(self) -> list[str]:
        columns = COLUMNS + CONTACT_COLUMNS if self.personal else COLUMNS
        return [str(label) if self.labels else key for key, label in columns]


def export_rows(
    messages: QuerySet[Message], user: User, form: ExportFormat, ip_address: str | None
) -> Iterator[list[Any]]:
    """One list of cells per message; with contacts, each batch is logged before it goes."""
    ordered = messages.select_related("region", "lead_department", "category")
    for batch in batched(ordered.iterator(chunk_size=CHUNK), CHUNK):
        if form.personal:
            _record_access(user, batch, ip_address)
        for message in batch:
            yield _row(message, form)


def _row(m: Message, form: ExportFormat) -> list[Any]:
    labels = form.labels
    cells: list[Any] = [
        m.tracking_number,
        _local(m.submitted_at) if labels else m.submitted_at.isoformat(),
        m.get_state_display() if labels else m.state,
        m.get_nature_display() if labels else m.nature,
        m.get_channel_display() if labels else m.channel,
        m.source,
        m.external_id,
        m.region.code,
        m.region.name_zh,
        m.lead_department.name_zh if m.lead_department else "",
        m.category.code if m.category else "",
        m.title if form.personal else pii.mask(m.title),
        m.content if form.personal else pii.mask(m.content),
    ]
    if form.personal:
        contact = full_contact(m)
        cells += [contact["name"], contact["mobile"], contact["email"], contact["id_number"]]
    return [_text(c, labels) if isinstance(c, str) else c for c in cells]


def _text(value: str, xlsx: bool) -> str:
    # XLSX cannot hold control characters at all (openpyxl refuses them); CSV keeps them.
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value) if xlsx else value)


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at).replace(tzinfo=None)  # spreadsheets have no time zones


def _record_access(user: User, batch: list[Message], ip_address: str | None) -> None:
    looks = []
    for message in batch:
        fields = [f for f in PERSONAL_FIELDS if _has(message, f)]
        if fields:
            looks.append(
                PersonalDataAccess(
                    user=user,
                    message=message,
                    fields=fields,
                    reason=EXPORT_REASON,
                    ip_address=ip_address,
                )
            )
    PersonalDataAccess.objects.bulk_create(looks)


def _has(message: Message, field: str) -> bool:
    if field == "contact_name":
        return bool(message.contact_name)
    return bool(getattr(message, f"{field}_encrypted"))
