"""The late fee (加处罚款) of a fine: pure, no Django (``README.md``, late fees).

行政处罚法 Art. 72(1): a party who does not pay by the due date is charged 3 % of the fine for
each day late, at most the fine itself. Days while an administrative review or a lawsuit is
pending are not counted (Art. 73; 行政强制法 Art. 45 for the cap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

DAILY_PERCENT = 3
DAYS_TO_PAY = 15


def due_date(served_on: dt.date) -> dt.date:
    """The last day to pay: 15 days after the decision was served."""
    return served_on + dt.timedelta(days=DAYS_TO_PAY)


Pause = tuple[dt.date, dt.date | None]  # a review or lawsuit: first and last day (None: open)


def days_late(due: dt.date, on: dt.date, pauses: Sequence[Pause] = ()) -> int:
    """Days after ``due`` up to and including ``on`` that no pause covers."""
    if on <= due:
        return 0
    paused = 0
    for start, end in _merged(pauses, on):
        first, last = max(start, due + dt.timedelta(days=1)), min(end, on)
        paused += max(0, (last - first).days + 1)
    return (on - due).days - paused


def _merged(pauses: Sequence[Pause], on: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Pauses as closed intervals up to ``on``, overlapping ones joined (never counted twice)."""
    spans = sorted((start, end or on) for start, end in pauses)
    merged: list[tuple[dt.date, dt.date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def late_fee(amount: int, due: dt.date, on: dt.date, pauses: Sequence[Pause] = ()) -> int:
    """In 分: 3 % of ``amount`` per day late, rounded down to the 分, at most ``amount``."""
    return min(amount, amount * DAILY_PERCENT * days_late(due, on, pauses) // 100)
