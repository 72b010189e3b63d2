"""Pinyin, initials, synonyms and corrections: how a query is read (no database)."""

from __future__ import annotations

from collections import Counter

import pytest

from yiwang.search import pinyin
from yiwang.search.expand import (
    Expansion,
    Vocabulary,
    corrected,
    groups,
    synonym_table,
)
from yiwang.search.ranking import Candidate, bm25, rank, rank_groups
from yiwang.search.tokens import Alternative, Group, Term, document_tokens, plain_groups

EXPANSION = Expansion(synonyms=synonym_table([("落户", "户口迁入"), ("社保卡", "社会保障卡")]))


def _all_terms(query: tuple[Group, ...]) -> set[str]:
    return {t.text for g in query for a in g.alternatives for t in a.terms}


@pytest.mark.parametrize(
    ("typed", "reading"),
    [
        ("shebaoka", (("she", "bao", "ka"), "")),
        ("gongjijin", (("gong", "ji", "jin"), "")),
        ("gongjij", (("gong", "ji"), "j")),
        ("xian", (("xian",), "")),
        ("lueduo", (("lve", "duo"), "")),
        ("GongJiJin", (("gong", "ji", "jin"), "")),
    ],
)
def test_latin_letters_are_read_as_the_fewest_syllables(
    typed: str, reading: tuple[tuple[str, ...], str]
) -> None:
    assert pinyin.split(typed) == reading


@pytest.mark.parametrize("typed", ["passport", "sfz", "xyzzy", "q"])
def test_letters_that_are_no_pinyin_have_no_reading(typed: str) -> None:
    assert pinyin.split(typed) is None


def test_a_title_adds_syllable_bigrams_and_initials_of_two_to_four_characters() -> None:
    tokens = pinyin.run_tokens("居民身份证")
    assert tokens[:5] == ["8jumin", "8minshen", "8shenfen", "8fenzheng", "8zheng"]
    assert {"9sfz", "9jmsf", "9msfz", "9sf", "9fz"} <= set(tokens)
    assert "9jmsfz" not in tokens  # five characters are two 4-grams in a query


def test_a_heteronym_takes_the_reading_of_its_phrase() -> None:
    assert pinyin.syllables("银行") == ["yin", "hang"]
    assert pinyin.syllables("重庆") == ["chong", "qing"]


def test_documents_get_pinyin_only_when_asked() -> None:
    assert not any(t.startswith(("8", "9")) for t in document_tokens("身份证", ""))
    assert "9sfz" in document_tokens("身份证", "", pinyin=True)


def test_a_latin_word_is_also_read_as_pinyin_and_as_initials() -> None:
    (group,) = groups("sfz", EXPANSION)
    assert [a.terms for a in group.alternatives] == [(Term("sfz"),), (Term("9sfz"),)]
    (group,) = groups("shebaoka", EXPANSION)
    assert (Term("8baoka"), Term("8shebao")) in [a.terms for a in group.alternatives]


def test_an_unfinished_syllable_becomes_a_prefix() -> None:
    (group,) = groups("gongjij", EXPANSION)
    assert Alternative((Term("8gongji"), Term("8jij", prefix=True)), 0.9) in group.alternatives


def test_a_synonym_and_a_homophone_are_other_ways_to_match_a_chinese_run() -> None:
    (group,) = groups("落户", EXPANSION)
    weights = {a.terms: a.weight for a in group.alternatives}
    assert weights[(Term("落户"),)] == 1.0
    assert weights[(Term("口迁"), Term("户口"), Term("迁入"))] == 0.9
    assert weights[(Term("8luohu"),)] == 0.6


def test_query_syntax_never_reaches_the_database() -> None:
    texts = _all_terms(groups('"身份证" NEAR/2 * : OR 1=1 & | ! <->', EXPANSION))
    assert all(text.isalnum() for text in texts)


def test_a_long_query_is_bounded() -> None:
    query = groups("社保卡 " * 400 + "a" * 1000, EXPANSION)
    assert sum(len(a.terms) for g in query for a in g.alternatives) <= 64


def test_the_vocabulary_corrects_one_edit_and_two_in_long_terms() -> None:
    vocabulary = Vocabulary({"8shenfen": 5, "8fenzheng": 5, "passport": 2, "8gongji": 9})
    assert vocabulary.closest("8shenfeng") == "8shenfen"
    assert vocabulary.closest("pasport") == "passport"
    assert vocabulary.closest("passprot") == "passport"  # two edits, eight letters
    assert vocabulary.closest("8gongzi") == "8gongji"
    assert vocabulary.closest("xyz") is None
    assert vocabulary.closest("zzzzzzzz") is None


def test_a_correction_is_added_beside_the_spelling_no_document_has() -> None:
    query = groups("shenfengzheng", EXPANSION)
    df = dict.fromkeys({t for g in query for t in g.terms}, 0)
    vocabulary = Vocabulary({"8shenfen": 4, "8fenzheng": 4})
    fixed, frequencies = corrected(query, df, vocabulary)
    added = {a.terms for g in fixed for a in g.alternatives} - {
        a.terms for g in query for a in g.alternatives
    }
    assert (Term("8fenzheng"), Term("8shenfen")) in added
    assert frequencies == {Term("8fenzheng"): 4, Term("8shenfen"): 4}


def test_plain_groups_rank_exactly_as_the_terms_did() -> None:
    terms = (Term("公积"), Term("积金"), Term("提取"))
    candidates = [
        Candidate(1, ["公积", "积金", "提取", "提取"]),
        Candidate(2, ["公积", "积金"]),
        Candidate(3, ["提取"]),
    ]
    df = {terms[0]: 2, terms[1]: 2, terms[2]: 2}
    assert rank(terms, candidates, df, 10) == [1, 2, 3]
    assert bm25(plain_groups(terms), candidates[0].tokens, df, 10)[0] == 3


def test_a_group_scores_by_its_best_alternative_that_fully_matches() -> None:
    literal = Alternative((Term("落户"),))
    synonym = Alternative((Term("户口"), Term("迁入")), 0.9)
    query = (Group((literal, synonym)),)
    exact = Candidate(1, ["落户"])
    other = Candidate(2, ["户口", "迁入"])
    half = Candidate(3, ["户口"])
    ranked = rank_groups(query, [exact, other, half], Counter(), 10)
    assert [object_id for object_id, _ in ranked] == [1, 2]


def test_a_correction_keeps_the_unfinished_syllable_beside_it() -> None:
    query = groups("canjirenzhenf", EXPANSION)  # 残疾人证 being typed, with a typo
    df = {t: 0 for g in query for t in g.terms}
    df[Term("8canji")] = 3
    fixed, frequencies = corrected(query, df, Vocabulary({"8jiren": 3, "8renzheng": 3}))
    assert Term("8zhenf", prefix=True) not in frequencies
    assert all(t in df or t in frequencies for g in fixed for t in g.terms)


def test_a_syllable_pair_spoilt_beyond_one_edit_is_left_out_when_enough_remains() -> None:
    query = groups("zhitejineng", EXPANSION)  # 职业技能 with y typed as t
    df = {t: 0 for g in query for t in g.terms}
    df[Term("8jineng")] = 2
    fixed, _ = corrected(query, df, Vocabulary({"8zhiye": 2, "8yeji": 2, "8jineng": 2}))
    kept = {a.terms for g in fixed for a in g.alternatives} - {
        a.terms for g in query for a in g.alternatives
    }
    assert (Term("8jineng"), Term("8zhiye")) in kept  # 8teji has no near term: left out


def test_too_little_left_after_a_typo_is_no_alternative() -> None:
    query = groups("lihumd", EXPANSION)
    df = {t: 0 for g in query for t in g.terms}
    fixed, _ = corrected(query, df, Vocabulary({"8dengji": 2}))
    assert fixed == query
