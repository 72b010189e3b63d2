"""The official typefaces of GB/T 9704 and the free fonts that stand in for them in PDFs.

The .docx names the official fonts, which recipients' machines have. PDFs embed substitutes
from Debian packages installed by ``script/bootstrap`` (fonts are never fetched at run time).
Collection indexes were checked by reading each face's name table (see the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yiwang.documents.letter import Face

OFFICIAL_NAMES: dict[Face, str] = {
    Face.XIAOBIAOSONG: "方正小标宋简体",
    Face.FANGSONG: "仿宋_GB2312",
    Face.HEITI: "黑体",
    Face.KAITI: "楷体_GB2312",
}

NOTO = Path("/usr/share/fonts/opentype/noto")
ARPHIC = Path("/usr/share/fonts/truetype/arphic")


@dataclass(frozen=True)
class Substitute:
    path: Path
    index: int  # the face inside a .ttc collection
    face_name: str  # the collection face's full name, as its name table says
    package: str  # the Debian package that ships it


SUBSTITUTES: dict[Face, Substitute] = {
    Face.XIAOBIAOSONG: Substitute(
        NOTO / "NotoSerifCJK-Bold.ttc", 2, "Noto Serif CJK SC Bold", "fonts-noto-cjk"
    ),
    Face.FANGSONG: Substitute(
        NOTO / "NotoSerifCJK-Regular.ttc", 2, "Noto Serif CJK SC", "fonts-noto-cjk"
    ),
    Face.HEITI: Substitute(
        NOTO / "NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC", "fonts-noto-cjk"
    ),
    Face.KAITI: Substitute(ARPHIC / "ukai.ttc", 0, "AR PL UKai CN", "fonts-arphic-ukai"),
}


class FontMissing(RuntimeError):
    """A substitute font file is not installed; the message says which package to install."""


def substitute(face: Face) -> Substitute:
    font = SUBSTITUTES[face]
    if not font.path.is_file():
        raise FontMissing(
            f"The PDF font {font.face_name} is missing: {font.path} does not exist. "
            f"Install Debian's {font.package} package (script/bootstrap does this)."
        )
    return font
