"""The read side of search: find, rank and suggest similar documents of one kind.

The index only fetches candidates (newest first, at most ``CANDIDATES``; on PostgreSQL with
RUM straight from the kind's index, ``top_k``); ``ranking`` orders them from the stored
tokens. Both databases therefore return the same ids (search.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, QuerySet
from django.db.models.expressions import OrderBy, RawSQL

from yiwang.search import backends, expand, ranking
from yiwang.search.models import CorpusStatistic, Document, TermStatistic
from yiwang.search.tokens import Group, Term, group_terms, query_terms

CANDIDATES = 1000
SIMILAR_VOCABULARY = 32
SIMILAR_TERMS = 8
SIMILAR_MIN_SHARED = 2
# A query of one term held by at least this share of the kind's documents reads its
# candidates without the RUM index: the newest rows hold enough matches, so PostgreSQL's
# walk through them (3–5 ms at a million documents) beats RUM's sort of every match (70–470
# ms). Below, RUM is the safer choice: a walk for a rarer or clustered term can read far.
COMMON_TERM_SHARE = 0.2
# Object ids a search may return, e.g. ``visible_messages(scope).values("pk")``.
Within = QuerySet[Any, Any] | Sequence[int] | None


@dataclass(frozen=True)
class SearchResult:
    ids: list[int]
    # True when nothing matched every term and these are near matches (see search.md).
    fuzzy: bool = False


def _in_index(kind: str, select_ids: tuple[str, list[str]]) -> QuerySet[Document]:
    sql, params = select_ids
    # The SQL text is a constant of ``backends``; every value travels as a parameter.
    return Document.objects.filter(kind=kind, id__in=RawSQL(sql, params))  # noqa: S611


def _documents(kind: str, terms: Sequence[Term], mode: backends.Mode) -> QuerySet[Document]:
    condition, params = backends.match_condition(terms, mode)
    # A condition on the table itself, not ``id IN (SELECT …)``: no self-join to plan around.
    # The SQL text is a constant of ``backends``; every value travels as a parameter.
    matches = RawSQL(condition, params, output_field=BooleanField())  # noqa: S611
    return Document.objects.filter(matches, kind=kind)


def matching_object_ids(kind: str, query: str) -> QuerySet[Document, int]:
    """Ids of the objects whose document holds every term of ``query``: a subquery for
    ``pk__in`` that costs the caller no extra query. Empty for a query without terms."""
    terms = query_terms(query)
    if not terms:
        return Document.objects.none().values_list("object_id", flat=True)
    return _documents(kind, terms, "all").values_list("object_id", flat=True)


def document_frequencies(kind: str, terms: Sequence[Term]) -> tuple[dict[Term, int], int]:
    """How many documents of ``kind`` hold each term, and how many there are: one query.

    From the term statistics once they have been refreshed (``reindex`` and a nightly job);
    before that, counted from the index, which is quick while the index is small. A lone
    character (a prefix term) counts as the token of that character.
    """
    texts = sorted({t.text for t in terms})
    # The corpus size comes back as the term '' (no token is empty): one round trip.
    sql = "SELECT '', documents FROM search_corpusstatistic WHERE kind = %s"
    if texts:
        marks = ", ".join(["%s"] * len(texts))
        terms_sql = f"SELECT term, documents FROM search_termstatistic WHERE kind = %s AND term IN ({marks})"  # noqa: S608, E501 (placeholders only)
        sql += " UNION ALL " + terms_sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, *([kind, *texts] if texts else [])])
        counts: dict[str, int] = dict(cursor.fetchall())
    if "" not in counts:
        return _counted(kind, terms)
    return {t: counts.get(t.text, 0) for t in terms}, counts[""]


def _counted(kind: str, terms: Sequence[Term]) -> tuple[dict[Term, int], int]:
    parts = ["(SELECT COUNT(*) FROM search_document WHERE kind = %s)"]
    params: list[str] = [kind]
    for term in terms:
        condition, term_params = backends.match_condition([term])
        # Constant SQL text from ``backends``; the values are parameters.
        count = f"(SELECT COUNT(*) FROM search_document WHERE kind = %s AND {condition})"  # noqa: S608
        parts.append(count)
        params += [kind, *term_params]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(terms, row[1:], strict=True)), row[0]


def _newest_first(kind: str, below: int | None = None, *, rum_index: bool = True) -> OrderBy:
    """Candidates' order for a match condition: from the kind's RUM index if it has one."""
    rum = backends.newest_first(kind, below) if rum_index else None
    # Constant SQL text from ``backends``; the bound is a parameter.
    return F("object_id").desc() if rum is None else RawSQL(*rum).asc()  # noqa: S611


def _matching_candidates(
    kind: str, condition: tuple[str, list[str]], within: Within, count: int
) -> list[ranking.Candidate]:
    """As ``_candidates`` for a match condition, in plain SQL: the search of every keystroke
    (services, suggestions) spends less on building queries than on running them."""
    where, args = condition
    sql = f"SELECT object_id, tokens FROM search_document WHERE kind = %s AND {where}"  # noqa: S608
    params: list[Any] = [kind, *args]
    if isinstance(within, QuerySet):
        inner, inner_params = within.query.sql_with_params()
        sql += f" AND object_id IN ({inner})"
        params += list(inner_params)
    elif within is not None:
        ids = [int(i) for i in within]
        if not ids:
            return []
        sql += f" AND object_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    order, order_params = backends.newest_first(kind) or ("object_id DESC", [])
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY {order} LIMIT %s", [*params, *order_params, count])
        rows = cursor.fetchall()
    return [ranking.Candidate(object_id, tokens.split()) for object_id, tokens in rows]


def _candidates(
    documents: QuerySet[Document], within: Within, count: int, order: OrderBy
) -> list[ranking.Candidate]:
    """The newest ``count`` documents (in ``order``: ``_newest_first`` or by id)."""
    if within is not None:
        documents = documents.filter(object_id__in=within)
    rows = documents.order_by(order).values_list("object_id", "tokens")[:count]
    return [ranking.Candidate(object_id, tokens.split()) for object_id, tokens in rows]


def search(
    kind: str,
    query: str,
    limit: int = 10,
    within: Within = None,
    *,
    expansion: expand.Expansion | None = None,
    candidates: int = CANDIDATES,
) -> SearchResult:
    """The ``limit`` best documents holding every term of ``query``; near matches if none.

    The best among the newest ``candidates`` matches: fewer rank faster and reach less far
    back (200 suits a page of 50 at a million documents: docs/decisions/0037).

    With an ``expansion`` (kinds indexed with pinyin), every part of the query may also be
    matched by a synonym, its pinyin, initials, a homophone or a corrected spelling
    (``expand.py``).
    """
    terms = query_terms(query)
    if not terms or limit <= 0:
        return SearchResult([])
    corrected = False
    if expansion is not None:
        ids, df, n_docs, corrected = _expanded(kind, query, expansion, within, candidates)
    else:
        df, n_docs = document_frequencies(kind, terms)
        documents = _documents(kind, terms, "all")
        order = _newest_first(kind, rum_index=not _one_common_term(terms, df, n_docs))
        found = _candidates(documents, within, candidates, order)
        ids = ranking.rank(terms, found, df, n_docs)
    if ids:
        return SearchResult(ids[:limit], fuzzy=corrected)
    near_titles = expansion is None or expansion.near_titles
    near = _near(kind, query, terms, df, n_docs, within, candidates, near_titles=near_titles)
    return SearchResult(near[:limit], fuzzy=True)


def _one_common_term(terms: Sequence[Term], df: dict[Term, int], n_docs: int) -> bool:
    return len(terms) == 1 and df[terms[0]] >= COMMON_TERM_SHARE * n_docs


def _expanded(
    kind: str, query: str, expansion: expand.Expansion, within: Within, count: int
) -> tuple[list[int], dict[Term, int], int, bool]:
    """Ranked ids, the frequencies, the corpus size, and whether spellings were corrected
    (then the matches are near ones)."""
    groups = expand.groups(query, expansion)
    df, n_docs = document_frequencies(kind, group_terms(groups))
    corrected = any(_unmatched(group, df) for group in groups)
    if corrected:
        groups, corrections = expand.corrected(groups, df, vocabulary(kind))
        df = {**df, **corrections}
    candidates = _matching_candidates(kind, backends.groups_condition(groups), within, count)
    ranked = ranking.rank_groups(groups, candidates, df, n_docs)
    return [object_id for object_id, _ in ranked], df, n_docs, corrected


def _unmatched(group: Group, df: dict[Term, int]) -> bool:
    """Whether no reading of the group can match: each has a term no document holds (a
    prefix may still match; only whole Latin terms can be corrected)."""
    return all(
        any(not t.prefix and not df.get(t) for t in alternative.terms)
        for alternative in group.alternatives
    ) and any(t.text.isascii() and not t.prefix for t in group.terms)


_VOCABULARIES: dict[str, tuple[object, expand.Vocabulary]] = {}


def vocabulary(kind: str) -> expand.Vocabulary:
    """The kind's Latin terms as of its last statistics refresh (kept per process)."""
    refreshed = CorpusStatistic.objects.filter(kind=kind).values_list("refreshed_at", flat=True)
    version = refreshed.first()
    cached = _VOCABULARIES.get(kind)
    if cached is not None and cached[0] == version:
        return cached[1]
    rows = TermStatistic.objects.filter(kind=kind).values_list("term", "documents")
    built = expand.Vocabulary(dict(rows.iterator(chunk_size=10_000)))
    _VOCABULARIES[kind] = (version, built)
    return built


def _near(
    kind: str,
    query: str,
    terms: Sequence[Term],
    df: dict[Term, int],
    n_docs: int,
    within: Within,
    count: int,
    *,
    near_titles: bool = True,
) -> list[int]:
    """Documents with at least half of the terms; on PostgreSQL also near titles (pg_trgm)."""
    needed = max(1, math.ceil(len(terms) / 2))
    documents = _documents(kind, terms, "any")
    candidates = _candidates(documents, within, count, _newest_first(kind))
    ids = ranking.rank(terms, candidates, df, n_docs, min_matched=needed)
    near = backends.near_title_ids_sql(query.strip()[:100]) if near_titles else None
    if near is not None:
        # No terms here for a RUM index to answer: the plain order.
        titled = _candidates(_in_index(kind, near), within, count, F("object_id").desc())
        ids += [c.object_id for c in titled if c.object_id not in ids]
    return ids


def similar(kind: str, object_id: int, limit: int = 5, within: Within = None) -> list[int]:
    """Earlier documents (lower ids) sharing the most distinctive words of this one."""
    document = Document.objects.filter(kind=kind, object_id=object_id).first()
    if document is None or limit <= 0:
        return []
    tokens = document.tokens.split()
    vocabulary = ranking.similarity_vocabulary(tokens, SIMILAR_VOCABULARY)
    if not vocabulary:
        return []
    df, n_docs = document_frequencies(kind, vocabulary)
    terms = ranking.distinctive_terms(tokens, df, n_docs, SIMILAR_TERMS)
    if len(terms) < SIMILAR_MIN_SHARED:
        return []
    # "pairs": only documents sharing two of the terms, as the ranking requires anyway.
    earlier = _documents(kind, terms, "pairs").filter(object_id__lt=object_id)
    candidates = _candidates(earlier, within, CANDIDATES, _newest_first(kind, object_id))
    return ranking.rank(terms, candidates, df, n_docs, min_matched=SIMILAR_MIN_SHARED)[:limit]
