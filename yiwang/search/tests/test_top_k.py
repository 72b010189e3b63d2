"""Candidates read from a kind's RUM index (PostgreSQL): the same ids as through GIN, and the
indexes made by ``search_indexes`` where the server has RUM, nothing elsewhere."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.search import top_k
from yiwang.search.actions import Source, do_index, do_index_many, do_refresh_statistics
from yiwang.search.expand import Expansion
from yiwang.search.kinds import KINDS
from yiwang.search.models import TermStatistic
from yiwang.search.queries import search, similar
from yiwang.search.tests.test_search import KIND, QUERIES, corpus

pytestmark = pytest.mark.django_db

with_rum = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="RUM is an extension of PostgreSQL"
)


@pytest.fixture(autouse=True)
def _forget_indexes() -> Iterator[None]:
    # Each test's indexes vanish with its transaction; the process must not remember them.
    top_k.forget()
    yield
    top_k.forget()


@pytest.fixture
def rum_corpus() -> None:
    """The 300 documents of test_search, with their kind's RUM index, read through it."""
    if not top_k.rum_available():
        pytest.skip("this PostgreSQL server has no RUM (postgresql-NN-rum)")
    documents = corpus()
    do_index_many(Source(KIND, pk, title, body) for pk, (title, body) in documents.items())
    do_index_many(Source("other", pk, "电梯电梯", "公积金 wifi") for pk in range(1, 50))
    do_refresh_statistics(KIND)
    assert top_k.create_indexes([KIND]) == [top_k.index_name(KIND)]
    with connection.cursor() as cursor:
        # A table this small would be read whole; these make the planner take the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")


def _through_gin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(top_k, "indexed_kinds", lambda using=None: frozenset())


@with_rum
@pytest.mark.parametrize("candidates", [1000, 7])
def test_the_rum_index_gives_the_same_ids_as_gin(
    rum_corpus: None, monkeypatch: pytest.MonkeyPatch, candidates: int
) -> None:
    # Seven candidates: which matches are the newest decides the result, not the ranking.
    asked = [*QUERIES, "电梯 停车 收费 投诉"]  # the last one finds near matches only
    through_rum = [search(KIND, q, candidates=candidates) for q in asked]
    within_rum = [search(KIND, q, candidates=candidates, within=range(1, 300, 3)) for q in asked]
    similar_rum = [similar(KIND, pk) for pk in (290, 150, 31)]
    _through_gin(monkeypatch)
    assert [search(KIND, q, candidates=candidates) for q in asked] == through_rum
    assert [search(KIND, q, candidates=candidates, within=range(1, 300, 3)) for q in asked] == (
        within_rum
    )
    assert [similar(KIND, pk) for pk in (290, 150, 31)] == similar_rum
    assert through_rum[-1].fuzzy
    assert any(similar_rum)


@with_rum
def test_expanded_queries_give_the_same_ids_through_either_index(
    rum_corpus: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    expansion = Expansion()
    through_rum = [search(KIND, q, expansion=expansion, candidates=7) for q in QUERIES]
    _through_gin(monkeypatch)
    assert [search(KIND, q, expansion=expansion, candidates=7) for q in QUERIES] == through_rum


@with_rum
def test_the_candidates_are_read_from_the_kinds_rum_index(rum_corpus: None) -> None:
    with CaptureQueriesContext(connection) as captured:
        found = search(KIND, "电梯 故障", candidates=7).ids
    candidates_sql = captured.captured_queries[-1]["sql"]
    assert "<=|" in candidates_sql
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + candidates_sql)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert top_k.index_name(KIND) in plan
    assert len(found) == 7


@with_rum
def test_one_word_in_a_fifth_of_the_documents_is_read_without_the_rum_index(
    rum_corpus: None,
) -> None:
    def candidates_sql(query: str) -> str:
        with CaptureQueriesContext(connection) as captured:
            search(KIND, query, candidates=7)
        return str(captured.captured_queries[-1]["sql"])

    assert TermStatistic.objects.get(kind=KIND, term="wifi").documents >= 60  # of 300
    assert "<=|" not in candidates_sql("wifi")  # the newest rows hold enough of them
    assert "<=|" in candidates_sql("wifi 电梯")


def test_a_search_looks_the_indexes_up_once_per_process() -> None:
    do_index(KIND, 1, "电梯故障", "")
    with CaptureQueriesContext(connection) as first:
        search(KIND, "电梯 故障")
    with CaptureQueriesContext(connection) as second:
        search(KIND, "电梯 故障")
    looked_up = 1 if connection.vendor == "postgresql" else 0
    # The statistics, the counts (no refresh yet) and the candidates; the look-up once.
    assert len(first) == 3 + looked_up
    assert len(second) == 3


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no RUM")
def test_sqlite_gets_no_index_and_searches_as_before() -> None:
    assert top_k.create_indexes(KINDS) == []
    assert top_k.indexed_kinds() == frozenset()
    with pytest.raises(CommandError, match="offers no RUM"):
        call_command("search_indexes", stdout=io.StringIO())


@with_rum
def test_the_command_creates_the_missing_indexes_and_drops_them_on_request() -> None:
    if not top_k.rum_available():
        pytest.skip("this PostgreSQL server has no RUM")
    out = io.StringIO()
    call_command("search_indexes", "--kind", "disclosure", stdout=out)
    assert out.getvalue() == "created search_document_rum_disclosure\n"
    call_command("search_indexes", stdout=out)
    assert top_k.indexed_kinds() == set(KINDS)
    call_command("search_indexes", "--kind", "message", stdout=out)
    assert out.getvalue().endswith("every kind has its index already\n")
    call_command("search_indexes", "--drop", "--kind", "message", stdout=out)
    assert out.getvalue().endswith("dropped search_document_rum_message\n")
    assert top_k.indexed_kinds() == set(KINDS) - {"message"}


@pytest.mark.parametrize("kind", ["Message", "x; DROP TABLE search_document", "", "a" * 33])
def test_a_kind_that_is_no_plain_name_gets_no_index(kind: str) -> None:
    with pytest.raises(ValueError, match="not a kind name"):
        top_k.index_name(kind)
