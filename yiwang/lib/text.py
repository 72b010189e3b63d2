"""Text helpers shared by validation, limits and duplicate detection.

Citizens type on phones and Chinese IMEs, so the same message arrives with full-width letters,
ideographic spaces and invisible characters. These helpers give one canonical view of such text.
"""

import functools
import re
import sys
import unicodedata

_FULLWIDTH_OFFSET = 0xFEE0
_HALFWIDTH_TABLE = {code: code - _FULLWIDTH_OFFSET for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH_TABLE[0x3000] = ord(" ")

_WHITESPACE_RUN = re.compile(r"\s+")


def to_halfwidth(text: str) -> str:
    """Map full-width ASCII (１３８, ＠, ＡＢＣ) and the ideographic space to plain ASCII.

    Chinese IMEs switch to full-width forms easily; treating them as the ASCII character the
    citizen meant avoids rejecting a correct phone number or code. Unlike NFKC it touches nothing
    else, so it is safe on values (e-mail local parts) whose other characters must stay as typed.
    """
    return text.translate(_HALFWIDTH_TABLE)


def normalize_for_fingerprint(text: str) -> str:
    """Reduce text to the form compared when looking for duplicate messages.

    NFKC folds compatibility forms (full-width, circled digits), format characters such as the
    zero-width space are dropped because they are invisible and a cheap way to dodge duplicate
    detection, and every whitespace run becomes one space.
    """
    visible = _format_characters().sub("", unicodedata.normalize("NFKC", text))
    return _WHITESPACE_RUN.sub(" ", visible).strip()


@functools.cache
def _format_characters() -> re.Pattern[str]:
    """Every format character (category Cf) of this Python's Unicode version, as one character
    class: one regex pass instead of a category look-up per character (built once, ~0.2 s)."""
    found = [
        chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
    ]
    return re.compile("[" + "".join(re.escape(char) for char in found) + "]")


def count_chars(text: str) -> int:
    """Count characters the way a length limit shown to citizens means it.

    Limits are in characters, not bytes (a Chinese character is three UTF-8 bytes). NFC makes a
    decomposed "é" count once, and CRLF counts once because browsers count a textarea line break
    as one character for ``maxlength`` and we must not reject what the browser let through.
    """
    return len(unicodedata.normalize("NFC", text.replace("\r\n", "\n")))
