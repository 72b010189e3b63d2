"""Words: rjieba (Rust jieba, the same segmentation as jieba) on normalised text."""

from __future__ import annotations

import rjieba


def tokenize(text: str) -> list[str]:
    """The words of ``text`` (normalise it first), spaces left out."""
    return [word for word in rjieba.cut(text) if not word.isspace()]
