"""The search layer on the database at hand: the same ranked ids as the pure reference.

The suite runs on SQLite and on PostgreSQL; both runs must equal the reference computed here
in memory, so both databases give the same top ten for the fixed queries.
"""

from __future__ import annotations

import random

import pytest
from django.db import connection

from yiwang.search import top_k
from yiwang.search.actions import (
    Source,
    do_index,
    do_index_many,
    do_refresh_statistics,
    do_remove,
)
from yiwang.search.models import CorpusStatistic, TermStatistic
from yiwang.search.queries import matching_object_ids, search, similar
from yiwang.search.ranking import Candidate, rank
from yiwang.search.tokens import Term, document_tokens, query_terms

pytestmark = pytest.mark.django_db

KIND = "corpus"
WORDS = (
    "电梯",
    "故障",
    "物业",
    "停车",
    "收费",
    "噪音",
    "扰民",
    "住房公积金",
    "提取",
    "社保",
    "医保报销",
    "学校",
    "招生",
    "公交",
    "线路",
    "路灯",
    "垃圾",
    "分类",
    "施工",
    "漏水",
    "供暖",
    "拆迁",
    "补偿",
    "小区",
    "WiFi",
    "5G",
    "3号线",
    "地铁",
    "老人",
    "困难",
)
QUERIES = (
    "电梯",
    "电梯故障",
    "公积金",
    "积金",
    "停车 收费",
    "wifi",
    "3号线",
    "漏水 物业",
    "梯",
    "医保报销",
    "小区 老人 困难",
    "ＷＩＦＩ 5g",
)


def corpus() -> dict[int, tuple[str, str]]:
    """Three hundred documents from a fixed seed; every tenth repeats an earlier one (ties)."""
    rng = random.Random(2026)
    documents: dict[int, tuple[str, str]] = {}
    for object_id in range(1, 301):
        if object_id % 10 == 0:
            documents[object_id] = documents[object_id - 7]
            continue
        title = "".join(rng.sample(WORDS, 2))
        body = "，".join("".join(rng.sample(WORDS, 3)) for _ in range(rng.randint(1, 8)))
        documents[object_id] = (title, body)
    return documents


def reference_top_ten(
    documents: dict[int, tuple[str, str]], query: str, statistics: bool = False
) -> list[int]:
    """Counted from the index, a prefix term's frequency is that of every token it starts;
    from the refreshed statistics, that of its own one-character token."""
    terms = query_terms(query)
    tokens = {pk: document_tokens(*text) for pk, text in documents.items()}

    def holds(term: Term, document: list[str]) -> bool:
        return term.text in document if statistics else any(term.matches(x) for x in document)

    df = {t: sum(holds(t, tk) for tk in tokens.values()) for t in terms}
    matching = [
        Candidate(pk, tk)
        for pk, tk in tokens.items()
        if all(any(t.matches(x) for x in tk) for t in terms)
    ]
    return rank(terms, matching, df, len(documents))[:10]


@pytest.fixture
def indexed() -> dict[int, tuple[str, str]]:
    documents = corpus()
    do_index_many(Source(KIND, pk, title, body) for pk, (title, body) in documents.items())
    # Another kind with the same words must not change this kind's results or statistics.
    do_index_many(Source("other", pk, "电梯电梯", "公积金 wifi") for pk in range(1, 50))
    return documents


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("statistics", [False, True], ids=["counted", "from-statistics"])
def test_the_top_ten_equal_the_reference_ranking(
    indexed: dict[int, tuple[str, str]], query: str, statistics: bool
) -> None:
    if statistics:
        assert do_refresh_statistics(KIND) == len(indexed)
    expected = reference_top_ten(indexed, query, statistics)
    assert expected, "every fixed query finds something"
    assert search(KIND, query).ids == expected


def test_the_statistics_count_the_documents_holding_each_term(
    indexed: dict[int, tuple[str, str]],
) -> None:
    do_refresh_statistics(KIND)
    holding = sum("电梯" in document_tokens(*text) for text in indexed.values())
    assert TermStatistic.objects.get(kind=KIND, term="电梯").documents == holding
    assert CorpusStatistic.objects.get(kind=KIND).documents == 300
    assert do_refresh_statistics("other") == 49  # each kind counts its own documents
    do_remove(KIND, 1)
    assert do_refresh_statistics(KIND) == 299  # a refresh replaces the earlier counts


def test_most_fixed_queries_fill_a_page_of_ten(indexed: dict[int, tuple[str, str]]) -> None:
    full = [q for q in QUERIES if len(search(KIND, q).ids) == 10]
    assert len(full) >= 8


def test_a_search_costs_two_queries(
    indexed: dict[int, tuple[str, str]], django_assert_num_queries: object
) -> None:
    top_k.indexed_kinds()  # which kinds have a RUM index: looked up once per process
    # The statistics (or, before the first refresh, the counts) and the candidates.
    with django_assert_num_queries(3):  # type: ignore[operator]
        search(KIND, "停车 收费")


def test_a_fragment_inside_a_word_is_found() -> None:
    do_index(KIND, 1, "住房公积金提取申请", "")
    do_index(KIND, 2, "公交线路", "")
    for fragment in ("公积", "积金", "金提", "房公积", "住房公积金", "积"):
        assert search(KIND, fragment).ids == [1], fragment


def test_mixed_scripts_and_full_width_forms_are_found() -> None:
    do_index(KIND, 1, "WiFi6信号差", "地铁3号线站台")
    do_index(KIND, 2, "WiFi", "地铁2号线")
    assert search(KIND, "ＷＩＦＩ６").ids == [1]
    assert search(KIND, "3号线").ids == [1]
    assert search(KIND, "wifi").ids == [2, 1]  # the shorter document first


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '电梯" OR "停车',
        "电梯*",
        "NEAR(电梯 停车, 2)",
        "^电梯",
        "电梯 -停车",
        "'; DROP TABLE search_document; --",
        "\\ \\' \\\" '' \"\"",
        "tokens:电梯",
        "电梯 & !停车 | (x) <-> y:*",
        "\x00电梯",
    ],
)
def test_a_hostile_query_never_raises_nor_widens_the_match(hostile: str) -> None:
    do_index(KIND, 1, "电梯故障", "停车")
    do_index(KIND, 2, "停车收费", "")
    found = set(search(KIND, hostile).ids) | set(matching_object_ids(KIND, hostile))
    assert 2 not in found or "电梯" not in hostile
    assert search(KIND, "电梯 -停车").ids == [1]  # the minus is no NOT


@pytest.mark.parametrize("blank", ["", "   ", "\u3000", "？！", "*"])
def test_a_blank_query_finds_nothing(blank: str) -> None:
    do_index(KIND, 1, "电梯故障", "")
    assert search(KIND, blank).ids == []
    assert list(matching_object_ids(KIND, blank)) == []


def test_an_oversized_query_is_trimmed() -> None:
    do_index(KIND, 1, "电梯故障", "")
    assert search(KIND, "电梯" + "故" * 10_000).ids == [1]


def test_an_updated_document_is_found_by_its_new_words_only() -> None:
    do_index(KIND, 1, "电梯故障", "")
    do_index(KIND, 1, "路灯不亮", "")
    assert search(KIND, "电梯").ids == []
    assert search(KIND, "路灯").ids == [1]


def test_a_removed_document_is_no_longer_found() -> None:
    do_index(KIND, 1, "电梯故障", "")
    do_remove(KIND, 1)
    assert search(KIND, "电梯").ids == []


def test_a_search_can_be_kept_within_given_ids() -> None:
    for pk in (1, 2, 3):
        do_index(KIND, pk, "电梯故障", "")
    assert search(KIND, "电梯", within=[1, 3]).ids == [3, 1]


def test_near_matches_are_offered_when_no_document_has_every_term() -> None:
    do_index(KIND, 1, "小区电梯故障", "物业不修")
    do_index(KIND, 2, "公交线路", "")
    result = search(KIND, "电梯故障 物业 投诉")
    assert result.fuzzy
    assert result.ids == [1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_postgresql_finds_a_title_with_a_typo() -> None:
    do_index(KIND, 1, "Elevator broken", "")
    result = search(KIND, "elevater")
    assert result == type(result)([1], fuzzy=True)


def test_similar_documents_are_earlier_ones_sharing_distinctive_words() -> None:
    do_index(KIND, 1, "住房公积金提取", "申请提取住房公积金被拒绝")
    do_index(KIND, 2, "公交线路调整", "公交站点太远")
    do_index(KIND, 3, "公积金提取困难", "提取公积金手续复杂")
    do_index(KIND, 4, "住房公积金提取进度", "公积金提取申请")
    assert similar(KIND, 4) == [1, 3]
    assert similar(KIND, 4, within=[1, 2]) == [1]
    assert similar(KIND, 1) == []
    assert similar(KIND, 99) == []
