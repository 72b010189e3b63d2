"""Decision numbers and plates: pure functions, no Django (``README.md``, numbers).

A decision number (处罚决定书编号) has 16 digits: the deciding district's GB/T 2260 code (6),
the year's last two digits (2), the district's sequence in that year (7), and a Luhn check
digit over the first 15 (ISO/IEC 7812-1), so one mistyped digit or two swapped neighbours are
caught before any look-up.
"""

from __future__ import annotations

import re
import unicodedata

from stdnum import luhn
from stdnum.exceptions import ValidationError

SEQUENCE_DIGITS = 7
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1
_DECISION = re.compile(r"[0-9]{16}")
_SEPARATORS = re.compile(r"[\s\-·.．・]")
# Province abbreviation, the issuing office's letter (no I or O), then 5 (ordinary) or 6 (new
# energy) letters and digits; the last may be 挂 (trailer), 学 (learner), 警, 港 or 澳.
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"[A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]"
)


def format_decision_number(region_code: str, year: int, sequence: int) -> str:
    if not re.fullmatch(r"[0-9]{6}", region_code):
        raise ValueError("the region code has 6 digits")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError("the year's sequence is 1 to 9,999,999")
    body = f"{region_code}{year % 100:02d}{sequence:0{SEQUENCE_DIGITS}d}"
    return body + luhn.calc_check_digit(body)


def normalize_decision_number(raw: str) -> str:
    """Digits only: full-width digits, spaces and dashes from a printed form are removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))


def is_decision_number(text: str) -> bool:
    if not _DECISION.fullmatch(text):
        return False
    try:
        luhn.validate(text)
    except ValidationError:
        return False
    return True


def normalize_plate(raw: str) -> str:
    """``浙a·12345`` and full-width forms become ``浙A12345``."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def is_plate(text: str) -> bool:
    return bool(_PLATE.fullmatch(text))
