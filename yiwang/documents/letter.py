"""What a forwarding document says, as plain data: the renderers lay it out (no Django here).

The layout follows GB/T 9704-2012 (党政机关公文格式); ``documents.md`` lists the rules used.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# XML 1.0 (the .docx) refuses C0 controls other than tab and newline, lone surrogates and the
# two non-characters; C1 controls and format characters (bidi overrides) have no place in print.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Text safe for both renderers: no control characters, newlines normalised, NFC."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    value = _UNPRINTABLE.sub("", value)
    value = "".join(c for c in value if unicodedata.category(c) != "Cf" or c == "\u200d")
    return unicodedata.normalize("NFC", value)


def chinese_date(day: dt.date) -> str:
    """GB/T 9704-2012 7.3.5.1: Arabic numerals, the year in full, no padding (2017年1月5日)."""
    return f"{day.year}年{day.month}月{day.day}日"


class Face(StrEnum):
    """The four typefaces of GB/T 9704 (each renderer maps them to fonts)."""

    XIAOBIAOSONG = "xiaobiaosong"  # headers and the title
    FANGSONG = "fangsong"  # body text
    HEITI = "heiti"  # first-level headings
    KAITI = "kaiti"  # leaders' instructions (second-level text)


class Kind(StrEnum):
    HEADING = "heading"  # 一、… in 黑体
    BODY = "body"  # a paragraph in 仿宋, indented two characters
    INSTRUCTION = "instruction"  # a leader's instruction in 楷体


@dataclass(frozen=True)
class Block:
    kind: Kind
    text: str


@dataclass(frozen=True)
class Letter:
    issuer: str  # 发文机关标志
    reference: str  # 发文字号
    title: str
    recipient: str  # 主送机关
    blocks: tuple[Block, ...]
    signature: str  # 发文机关署名
    date: str  # 成文日期
    copied_to: tuple[str, ...] = ()  # 抄送机关
    void_notice: str = ""  # printed in red above the header on a voided document
    seal_marker: str = "（印章）"
    printed_by: str = ""  # 印发机关
    printed_on: str = ""  # 印发日期

    def paragraphs(self) -> list[str]:
        """Every line of text, in order (for tests and plain-text views)."""
        lines = [self.void_notice, self.issuer, self.reference, self.title, self.recipient]
        lines += [b.text for b in self.blocks]
        lines += [self.seal_marker, self.signature, self.date, self.copied_line()]
        return [line for line in lines if line]

    def copied_line(self) -> str:
        """GB/T 9704 7.4.2: 抄送 with a full-width colon, names joined by 、, a full stop."""
        return f"抄送：{'、'.join(self.copied_to)}。" if self.copied_to else ""

    def printed_line(self) -> tuple[str, str]:
        return self.printed_by, f"{self.printed_on}印发" if self.printed_on else ""
