"""Text normalisation: what every message goes through before the engine reads it.

The steps, in order (each one cheap: the whole function runs at millions of characters per
second, so a pasted 100,000-character text costs milliseconds):

1. cut the raw input at ``RAW_LIMIT`` characters (nothing past it can matter once capped);
2. strip HTML tags and unescape entities (``&nbsp;`` → space);
3. Unicode NFKC: full-width letters, digits and punctuation become half-width (``ＡＢＣ１２３``
   → ``ABC123``, ``，`` → ``,``), compatibility forms are folded;
4. control characters, emoji, variation selectors, private-use characters removed;
5. traditional → simplified Chinese with zhconv's phrase-aware zh-cn conversion;
6. boilerplate greetings and closings dropped (``BOILERPLATE``);
7. whitespace collapsed to single spaces; the result is capped at ``LIMIT`` characters.

Speed: ``normalize_many`` does steps 3–5 for a whole batch with numpy look-up tables over the
code points: a character that NFKC turns into one other character on its own (full-width forms,
the ideographic and no-break spaces) is mapped directly, noise is dropped, and only the texts
that still hold a character NFKC would expand or compose (``…``, ``①``, combining marks), or a
traditional character, go through ``unicodedata`` and zhconv. The
regular expressions of steps 6 and 7 run once over the joined batch.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import zhconv.zhconv as zhconv_tables  # type: ignore[import-untyped]

RAW_LIMIT = 20_000
LIMIT = 5_000

_TAG = re.compile(r"<[^<>]{0,400}>")
_SEP = "\x00"  # between the texts of a batch (a control character: removed from the input)
_NOISE_RANGES = (
    (0x00, 0x08),  # control characters (tabs and newlines are whitespace)
    (0x0B, 0x1F),
    (0x7F, 0x9F),
    (0x200B, 0x200F),  # zero-width and direction marks
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFE00, 0xFE0F),  # variation selectors
    (0x2600, 0x27BF),  # dingbats and miscellaneous symbols (☀, ✅, ❤)
    (0xD800, 0xDFFF),  # lone surrogates
    (0xE000, 0xF8FF),  # private use
    (0x1F000, 0x1FAFF),  # emoji, pictographs, playing cards
    (0xE0000, 0xE007F),  # tag characters (flag sequences)
    (0xF0000, 0x10FFFF),  # private use planes
)
_NOISE = re.compile(
    "["
    + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _NOISE_RANGES)
    + "]+"
)
_HAN_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)
_SPACE = re.compile(r"\s+")

# Greetings and closings that say nothing about the matter; matched after NFKC, so the
# punctuation is half-width. Kept short and literal: a wrong drop would hide content.
BOILERPLATE: tuple[str, ...] = (
    r"尊敬的(?:各位)?(?:[\u4e00-\u9fff]{1,6}?)?(?:领导|同志|书记|市长|县长|区长|局长|主任|部门)"
    r"(?:们)?[,，:!]?(?:(?:你们|您|你)好)?",
    r"(?:各位|亲爱的)?领导(?:们)?(?:你们|您|你)好",
    r"(?:您|你们|你|大家)好",
    r"(?:非常|十分)?(?:感谢|谢谢)(?:您|你们|领导|各位领导)?(?:的)?(?:关注|回复|帮助|支持)?",
    r"此致\s*敬礼",
    r"盼(?:望)?(?:早日|尽快)?回复",
)
# The look-ahead names every first character the patterns can start with: the regex engine
# then skips most positions after one character-class test (6x faster on real messages).
_BOILERPLATE_START = "尊各亲领您你大非十感谢此盼"
_BOILERPLATE = re.compile(
    f"(?=[{_BOILERPLATE_START}])(?:" + "|".join(BOILERPLATE) + r")[,.!:;~。]*"
)


@cache
def _traditional_table() -> dict[int, str]:
    """One-character traditional → simplified mappings from zhconv's zh-cn dictionary."""
    pairs = zhconv_tables.getdict("zh-cn").items()
    return {ord(old): new for old, new in pairs if len(old) == 1 and old != new}


@dataclass(frozen=True)
class _Tables:
    """Per code point flags (0x110000 booleans each), so a batch is classified by numpy."""

    noise: np.ndarray  # removed
    mapped: np.ndarray  # uint32: what NFKC makes of it when that is one character on its own
    unstable: np.ndarray  # NFKC may still change it or compose it with its neighbour
    traditional: np.ndarray  # zhconv would change it
    han: np.ndarray
    letter: np.ndarray


@cache
def _tables() -> _Tables:
    size = 0x110000
    noise = np.zeros(size, dtype=bool)
    for low, high in _NOISE_RANGES:
        noise[low : high + 1] = True
    han = np.zeros(size, dtype=bool)
    for low, high in _HAN_RANGES:
        han[low : high + 1] = True
    unstable = np.zeros(size, dtype=bool)
    unstable[0x10000:] = True  # beyond the BMP: the exact path, except Han and noise
    unstable[han | noise] = False
    letter = han.copy()
    composing = set()
    for code in range(0x10000):
        canonical = unicodedata.decomposition(chr(code)).split()
        if len(canonical) == 2 and not canonical[0].startswith("<"):
            composing.add(int(canonical[1], 16))  # a second half of a composition
    mapped = np.arange(size, dtype=np.uint32)
    for code in range(0x10000):
        char = chr(code)
        letter[code] |= char.isalpha()
        target = unicodedata.normalize("NFKC", char)
        if _composes(char, composing):
            unstable[code] = True
        elif target != char and len(target) == 1 and not _composes(target, composing):
            mapped[code] = ord(target)
        elif target != char:
            unstable[code] = True
    traditional = np.zeros(size, dtype=bool)
    traditional[list(_traditional_table())] = True
    noise[0] = unstable[0] = False  # the separator between the texts of a batch
    return _Tables(noise, mapped, unstable, traditional, han, letter)


def _composes(char: str, composing: set[int]) -> bool:
    """True for combining marks, second halves of compositions and conjoining Hangul jamo."""
    code = ord(char)
    return bool(unicodedata.combining(char)) or code in composing or 0x1100 <= code <= 0x11FF


def to_simplified(text: str) -> str:
    """Simplified Chinese, with zhconv's phrase-aware zh-cn conversion."""
    converted: str = zhconv_tables.convert(text, "zh-cn")
    return converted


def strip_html(text: str) -> str:
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def normalize(text: str) -> str:
    """The text as the engine reads it (see the module docstring for the steps)."""
    return normalize_many([text])[0]


def normalize_many(texts: Sequence[str]) -> list[str]:
    """``normalize`` for a batch: one numpy pass over all the texts, Python only where needed."""
    if not texts:
        return []
    parts = [strip_html(text[:RAW_LIMIT]).replace(_SEP, "") for text in texts]
    codes = _codes(_SEP.join(parts))
    tables = _tables()
    codes = tables.mapped[codes]  # full-width forms, no-break spaces, …: one character each
    codes = codes[~tables.noise[codes]]
    document = np.cumsum(codes == 0)
    unstable = np.unique(document[tables.unstable[codes]]).tolist()
    traditional = np.unique(document[tables.traditional[codes]]).tolist()
    docs = _text(codes).split(_SEP)
    for number in unstable:
        docs[number] = _NOISE.sub("", unicodedata.normalize("NFKC", docs[number]))
    for number in traditional:
        docs[number] = to_simplified(docs[number])
    joined = _SPACE.sub(" ", _BOILERPLATE.sub(" ", _SEP.join(docs)))
    return [doc.strip()[:LIMIT] for doc in joined.split(_SEP)]


def han_share(text: str) -> float:
    """Share of Han characters among the letters of ``text`` (0.0 when it has no letters)."""
    return float(han_shares([text])[0])


def han_shares(texts: Sequence[str]) -> np.ndarray:
    """``han_share`` of every text of a batch."""
    codes = _codes(_SEP.join(text.replace(_SEP, "") for text in texts))
    tables = _tables()
    document = np.cumsum(codes == 0)
    han = np.bincount(document[tables.han[codes]], minlength=len(texts))
    letters = np.bincount(document[tables.letter[codes]], minlength=len(texts))
    shares: np.ndarray = np.divide(han, letters, out=np.zeros(len(texts)), where=letters > 0)
    return shares


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()


def _text(codes: np.ndarray) -> str:
    return codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
