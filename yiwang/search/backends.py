"""What differs between the databases: how to ask the index for documents with some terms.

Each function returns a self-contained ``SELECT`` of ``search_document.id`` values, so the
caller can use it as ``id__in=RawSQL(...)`` and everything else stays plain ORM. The terms
come from ``tokens.query_terms`` and hold only letters and digits; they still travel as
parameters, never inside the SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from django.db import connection

from yiwang.search import top_k
from yiwang.search.tokens import Group, Term

# RUM's distances are float8: up to 2^53 the distance from the bound is exact for every id,
# so ordering by it is ordering by the id, ties and all (object ids stay far below it).
NEWEST_BOUND = 2**53

# "all": every term; "any": at least one; "pairs": at least two of them (every pair, OR-ed),
# which keeps the similar-messages candidates few even when single terms are common.
Mode = Literal["all", "any", "pairs"]


def _combine(parts: list[str], mode: Mode, and_: str, or_: str) -> str:
    if mode == "pairs":
        pairs = [f"({a}{and_}{b})" for i, a in enumerate(parts) for b in parts[i + 1 :]]
        return or_.join(pairs)
    return (and_ if mode == "all" else or_).join(parts)


def _fts5_expression(terms: Sequence[Term], mode: Mode) -> str:
    parts = ['"{}"{}'.format(t.text.replace('"', '""'), "*" if t.prefix else "") for t in terms]
    return _combine(parts, mode, " AND ", " OR ")


def _tsquery(terms: Sequence[Term], mode: Mode) -> str:
    parts = ["'{}'{}".format(t.text.replace("'", "''"), ":*" if t.prefix else "") for t in terms]
    return _combine(parts, mode, " & ", " | ")


def _groups_expression(groups: Sequence[Group], sqlite: bool) -> str:
    """Every group, each by any of its alternatives, each alternative with all its terms."""
    and_, or_ = (" AND ", " OR ") if sqlite else (" & ", " | ")
    expression = _fts5_expression if sqlite else _tsquery
    return and_.join(
        "(" + or_.join(f"({expression(a.terms, 'all')})" for a in group.alternatives) + ")"
        for group in groups
    )


def _condition(expression: str) -> tuple[str, list[str]]:
    if connection.vendor == "sqlite":
        return "id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)", [expression]
    if connection.vendor == "postgresql":
        return "tsv @@ %s::tsquery", [expression]
    raise NotImplementedError(f"no full-text search for {connection.vendor}")


def match_condition(terms: Sequence[Term], mode: Mode = "all") -> tuple[str, list[str]]:
    """A WHERE condition on ``search_document`` for documents with all (or any) ``terms``."""
    if connection.vendor == "sqlite":
        return _condition(_fts5_expression(terms, mode))
    return _condition(_tsquery(terms, mode))


def groups_condition(groups: Sequence[Group]) -> tuple[str, list[str]]:
    """A WHERE condition for documents matching every group (see ``tokens.Group``)."""
    return _condition(_groups_expression(groups, connection.vendor == "sqlite"))


def matching_ids_sql(terms: Sequence[Term], mode: Mode = "all") -> tuple[str, list[str]]:
    """SQL selecting the ids of documents with all (or any) of ``terms``; terms not empty."""
    condition, params = match_condition(terms, mode)
    return f"SELECT id FROM search_document WHERE {condition}", params  # noqa: S608 (constant)


def near_title_ids_sql(text: str) -> tuple[str, list[str]] | None:
    """PostgreSQL only: documents whose title is close to ``text`` (pg_trgm, typos)."""
    if connection.vendor != "postgresql":
        return None
    return "SELECT id FROM search_document WHERE %s <%% title", [text]


def newest_first(kind: str, below: int | None = None) -> tuple[str, list[int]] | None:
    """The ORDER BY expression that reads a kind's matches newest first from its RUM index
    (``top_k``), or None when it has none (then ``object_id DESC``: the same order, found
    through GIN). Only with a match condition on ``tsv``, which the index answers; ``below``:
    every id wanted is lower (similar messages), so the scan starts there."""
    if kind not in top_k.indexed_kinds():
        return None
    bound = NEWEST_BOUND if below is None else min(below - 1, NEWEST_BOUND)
    return "object_id <=| %s::bigint", [bound]
