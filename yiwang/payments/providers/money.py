"""Amounts between our integer 分 (fen) and the providers' yuan text ("12.34").

Amounts are integers in 分 everywhere in our code (``payments.md``, invariants); only the
provider wire formats (Alipay's ``total_amount``, statement files) speak yuan as decimal text.
The conversion is done on the digits, never through a float, and it is strict: a provider's
amount that is not plain ``digits[.d[d]]`` is a malformed message, not something to round.
"""

from __future__ import annotations

import re

# 15 digits of yuan keep every amount (in 分) inside a signed 64-bit integer column, and turn
# absurd values ("1" * 100) into an error instead of a number.
MAX_YUAN_DIGITS = 15
MAX_FEN = 10 ** (MAX_YUAN_DIGITS + 2) - 1

# ASCII digits only: str.isdigit() and int() would accept "١٢" or full-width digits. No leading
# zeros, sign, exponent or blanks, so every amount has one spelling and NaN/inf cannot parse.
_YUAN = re.compile(rf"(0|[1-9][0-9]{{0,{MAX_YUAN_DIGITS - 1}}})(?:\.([0-9]{{1,2}}))?")


def fen_from_yuan(text: str) -> int:
    """``"12.34"`` → 1234, ``"12.3"`` → 1230, ``"12"`` → 1200; ValueError for anything else."""
    match = _YUAN.fullmatch(text)
    if match is None:
        raise ValueError(f"not a yuan amount: {text[:40]!r}")
    whole, fraction = match.groups()
    return int(whole) * 100 + int((fraction or "").ljust(2, "0"))


def yuan_from_fen(fen: int) -> str:
    """1234 → ``"12.34"``, 1 → ``"0.01"``, 10000 → ``"100.00"``; ValueError when out of range."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"an amount in fen must be an int, not {type(fen).__name__}")
    if not 0 <= fen <= MAX_FEN:
        raise ValueError(f"amount in fen out of range: {fen}")
    yuan, cents = divmod(fen, 100)
    return f"{yuan}.{cents:02d}"
