"""Amounts in 分 shown as yuan, for every page that shows money (payments, fines)."""

from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """An amount in 分 as ``¥1,234.50``."""
    if fen is None:
        return ""
    return f"¥{fen // 100:,}.{fen % 100:02d}"
