"""Tokens and query terms: fragments of words, mixed scripts, hostile and oversized queries."""

from __future__ import annotations

import pytest

from yiwang.search.tokens import (
    MAX_QUERY_CHARS,
    Term,
    document_tokens,
    han_grams,
    query_terms,
    text_tokens,
)


def test_every_character_of_a_han_run_starts_exactly_one_gram() -> None:
    assert han_grams("公积金") == ["公积", "积金", "金"]
    assert han_grams("梯") == ["梯"]


def test_a_document_keeps_jieba_words_of_three_characters_beside_the_bigrams() -> None:
    tokens = text_tokens("住房公积金提取")
    assert "公积金" in tokens
    assert {"住房", "房公", "公积", "积金", "金提", "提取", "取"} <= set(tokens)


def test_the_title_counts_twice() -> None:
    assert document_tokens("电梯", "故障").count("电梯") == 2


def test_mixed_chinese_english_and_digits_split_into_runs() -> None:
    assert text_tokens("ＷｉＦｉ６信号差3幢") == ["wifi", "6", "信号", "号差", "差", "3", "幢"]


def test_a_query_becomes_the_bigrams_of_its_han_runs() -> None:
    assert query_terms("积金提") == (Term("积金"), Term("金提"))


def test_a_single_han_character_matches_as_a_prefix() -> None:
    assert query_terms("梯") == (Term("梯", prefix=True),)
    assert Term("梯", prefix=True).matches("梯坏")


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '电梯" OR "停车',
        "电梯*",
        "NEAR(电梯 停车, 2)",
        "^电梯",
        "电梯 -维修",
        "'; DROP TABLE search_document; --",
        "\\\\ \\' \\\"",
        "tokens:电梯",
        "电梯 & !停车 | (x) <-> y:*",
    ],
)
def test_no_query_syntax_survives_into_the_terms(hostile: str) -> None:
    for term in query_terms(hostile):
        assert term.text.isalnum()


def test_syntax_words_are_plain_words() -> None:
    assert query_terms("电梯 OR 停车") == (Term("or"), Term("停车"), Term("电梯"))


@pytest.mark.parametrize("blank", ["", "   ", "\u3000\t\n", "，。！？", "***"])
def test_an_empty_or_punctuation_only_query_has_no_terms(blank: str) -> None:
    assert query_terms(blank) == ()


def test_an_oversized_query_is_trimmed_to_its_first_hundred_characters() -> None:
    long = "电梯故障" * 1000
    assert query_terms(long) == query_terms(long[:MAX_QUERY_CHARS])
