"""Text normalisation: what every message goes through before the engine reads it.

The steps, in order (each one cheap: the whole function runs at millions of characters per
second, so a pasted 100,000-character text costs milliseconds):

1. cut the raw input at ``RAW_LIMIT`` characters (nothing past it can matter once capped);
2. strip HTML tags and unescape entities (``&nbsp;`` → space);
3. Unicode NFKC: full-width letters, digits and punctuation become half-width (``ＡＢＣ１２３``
   → ``ABC123``, ``，`` → ``,``), compatibility forms are folded;
4. traditional → simplified Chinese with zhconv's zh-cn table: a one-character translation
   first, and zhconv's phrase-aware conversion only when that changed something;
5. control characters, emoji and variation selectors removed;
6. boilerplate greetings and closings dropped (``BOILERPLATE``);
7. whitespace collapsed to single spaces; the result is capped at ``LIMIT`` characters.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache

import zhconv.zhconv as zhconv_tables  # type: ignore[import-untyped]

RAW_LIMIT = 20_000
LIMIT = 5_000

_TAG = re.compile(r"<[^<>]{0,400}>")
_NOISE = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # control characters (tabs and newlines are whitespace)
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"  # zero-width and direction marks
    "\ufe00-\ufe0f"  # variation selectors
    "\u2600-\u27bf"  # dingbats and miscellaneous symbols (☀, ✅, ❤)
    "\U0001f000-\U0001faff"  # emoji, pictographs, playing cards
    "\U000e0000-\U000e007f"  # tag characters (flag sequences)
    "]+"
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
_BOILERPLATE = re.compile("(?:" + "|".join(BOILERPLATE) + r")[,.!:;~。]*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _traditional_table() -> dict[int, str]:
    """One-character traditional → simplified mappings from zhconv's zh-cn dictionary."""
    pairs = zhconv_tables.getdict("zh-cn").items()
    return {ord(old): new for old, new in pairs if len(old) == 1 and old != new}


def to_simplified(text: str) -> str:
    """Simplified Chinese; the phrase-aware zhconv pass runs only on texts that need it."""
    quick = text.translate(_traditional_table())
    if quick == text:
        return text
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
    text = strip_html(text[:RAW_LIMIT])
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    text = _NOISE.sub("", text)
    text = _BOILERPLATE.sub(" ", text)
    return _SPACE.sub(" ", text).strip()[:LIMIT]


def han_share(text: str) -> float:
    """Share of Han characters among the letters of ``text`` (0.0 when it has no letters)."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return 0.0
    return len(_HAN.findall(text)) / letters
