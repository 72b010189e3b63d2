"""Same-day clearance (日清日结): which day a message must be handled on.

The rule counts calendar days, holidays included (the desk works every day). A site may set a
late cut-off: a message arriving at or after it counts towards the next day, so that a message
sent at 23:58 does not count against the day already ending.
"""

from __future__ import annotations

import datetime as dt
import re

_CUTOFF = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def parse_cutoff(value: str) -> dt.time | None:
    """``"22:00"`` → 22:00; ``""`` → no cut-off. Raises ValueError on anything else."""
    if not value:
        return None
    match = _CUTOFF.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"A cut-off is written HH:MM (24-hour clock), not {value!r}.")
    return dt.time(int(match.group(1)), int(match.group(2)))


def clearance_day(local_arrival: dt.datetime, cutoff: str) -> dt.date:
    """The local day a message arriving at ``local_arrival`` (local time) must be handled on."""
    limit = parse_cutoff(cutoff)
    day = local_arrival.date()
    if limit is not None and local_arrival.time() >= limit:
        return day + dt.timedelta(days=1)
    return day
