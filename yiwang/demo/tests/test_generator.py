"""The demo message generator: deterministic, within bounds, shaped like a real desk."""

from __future__ import annotations

import ast
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from yiwang.demo import vocab
from yiwang.demo.generator import (
    CONTENT_MAX,
    CONTENT_MIN,
    TITLE_MAX,
    DemoMessage,
    build_message,
    fictional_id_number,
    generate_messages,
    id_check_digit,
    is_valid_id_number,
)
from yiwang.demo.scenarios import MAJOR_PROFILE, MAJORS, NATURES, SCENARIOS, THEMES

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")
CJK = re.compile(r"[\u4e00-\u9fff]")
DISTRICTS = {name: code for code, (name, _) in vocab.REGIONS.items()}


@pytest.fixture(scope="module")
def messages() -> list[DemoMessage]:
    return generate_messages(2000, seed=7)


def _cjk_share(text: str) -> float:
    return len(CJK.findall(text)) / len(text)


def test_the_same_seed_gives_the_same_messages() -> None:
    assert generate_messages(300, seed=42) == generate_messages(300, seed=42)


def test_the_default_seed_is_stable_between_calls() -> None:
    assert generate_messages(50) == generate_messages(50, seed=2017)


def test_different_seeds_give_different_messages() -> None:
    assert generate_messages(50, seed=1) != generate_messages(50, seed=2)


@pytest.mark.parametrize("count", [0, 1, 39, 40, 41, 400])
def test_it_returns_exactly_the_requested_count(count: int) -> None:
    assert len(generate_messages(count)) == count


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate_messages(-1)


def test_every_title_is_short_chinese_and_filled_in(messages: list[DemoMessage]) -> None:
    for m in messages:
        assert 0 < len(m.title) <= TITLE_MAX
        assert _cjk_share(m.title) > 0.5
        assert not re.search("[{}]", m.title)


def test_every_content_is_chinese_of_the_right_length(messages: list[DemoMessage]) -> None:
    for m in messages:
        assert CONTENT_MIN <= len(m.content) <= CONTENT_MAX
        assert _cjk_share(m.content) > 0.6
        assert not re.search("[{}]", m.content)


def test_every_code_field_is_in_its_allowed_set(messages: list[DemoMessage]) -> None:
    for m in messages:
        assert m.nature in NATURES
        assert m.major_code in MAJORS
        assert m.region_code in vocab.REGIONS
        assert m.theme_code is None or m.theme_code in THEMES


def test_every_time_field_is_within_two_weeks_and_one_day(messages: list[DemoMessage]) -> None:
    for m in messages:
        assert 0 <= m.days_ago <= 13
        assert 0 <= m.minutes_into_day <= 1439


def test_every_contact_name_is_a_short_chinese_name(messages: list[DemoMessage]) -> None:
    for m in messages:
        assert 2 <= len(m.contact_name) <= 4
        assert _cjk_share(m.contact_name) == 1.0


def test_every_mobile_is_eleven_digits_starting_1390000(messages: list[DemoMessage]) -> None:
    for m in messages:
        if m.mobile is not None:
            assert re.fullmatch(r"1390000[0-9]{4}", m.mobile)


def test_every_email_is_at_an_example_domain(messages: list[DemoMessage]) -> None:
    for m in messages:
        if m.email is not None:
            assert re.fullmatch(r"[a-z]+[0-9]+@example\.(com|cn)", m.email)


def test_a_mobile_quoted_in_the_content_is_the_message_mobile(
    messages: list[DemoMessage],
) -> None:
    quoted = [(m, MOBILE_IN_TEXT.findall(m.content)) for m in messages]
    assert any(found for _, found in quoted)
    for m, found in quoted:
        assert all(number == m.mobile for number in found)


def test_every_id_number_in_the_content_passes_the_check_digit(
    messages: list[DemoMessage],
) -> None:
    found = [(m, number) for m in messages for number in ID_NUMBER.findall(m.content)]
    assert len(found) >= 10
    for m, number in found:
        assert is_valid_id_number(number), number
        assert number.startswith(m.region_code)


def test_the_check_digit_agrees_with_iso_7064_mod_11_2() -> None:
    rng = random.Random(0)
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    for _ in range(500):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        value = (12 - sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11) % 11
        assert id_check_digit(first17) == ("X" if value == 10 else str(value))


def test_the_check_digit_matches_the_worked_example_of_the_standard() -> None:
    assert id_check_digit("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("110105194912310021")


def test_a_fictional_id_number_has_region_birth_date_and_sequence() -> None:
    number = fictional_id_number(random.Random(3), "330106")
    assert number.startswith("330106")
    assert 1950 <= int(number[6:10]) <= 2002
    assert 1 <= int(number[10:12]) <= 12
    assert is_valid_id_number(number)


def test_a_theme_always_fits_the_major(messages: list[DemoMessage]) -> None:
    for m in messages:
        if m.theme_code is not None:
            assert m.theme_code in MAJOR_PROFILE[m.major_code][1]


def test_about_forty_percent_have_a_theme(messages: list[DemoMessage]) -> None:
    share = sum(m.theme_code is not None for m in messages) / len(messages)
    assert 0.33 < share < 0.47


def test_contact_details_and_consent_come_in_the_intended_shares(
    messages: list[DemoMessage],
) -> None:
    total = len(messages)
    assert 0.75 < sum(m.mobile is not None for m in messages) / total < 0.85
    assert 0.15 < sum(m.email is not None for m in messages) / total < 0.25
    assert 0.55 < sum(m.consent_publish for m in messages) / total < 0.65


@pytest.mark.parametrize("seed", [1, 2017, 99])
def test_all_forty_majors_appear_in_four_hundred_messages(seed: int) -> None:
    assert {m.major_code for m in generate_messages(400, seed=seed)} == set(MAJORS)


def test_common_majors_outnumber_rare_ones(messages: list[DemoMessage]) -> None:
    counts = Counter(m.major_code for m in messages)
    common = ("01", "02", "03", "04", "08", "11", "13")
    assert min(counts[code] for code in common) > 3 * counts["37"]


def test_every_nature_including_thanks_occurs(messages: list[DemoMessage]) -> None:
    assert {m.nature for m in messages} == set(NATURES)


def test_recent_days_have_more_messages_than_older_days(messages: list[DemoMessage]) -> None:
    days = Counter(m.days_ago for m in messages)
    assert sum(days[d] for d in range(4)) > 2 * sum(days[d] for d in range(10, 14))


def test_office_hours_are_busier_than_the_small_hours(messages: list[DemoMessage]) -> None:
    hours = Counter(m.minutes_into_day // 60 for m in messages)
    assert hours[10] > 5 * hours[3]
    assert hours[15] > 5 * hours[4]


def test_a_named_district_matches_the_region_code(messages: list[DemoMessage]) -> None:
    for m in messages:
        for name in re.findall("|".join(DISTRICTS), m.title + m.content):
            assert DISTRICTS[name] == m.region_code


def test_there_are_at_least_three_scenarios_per_major_and_120_in_all() -> None:
    per_major = Counter(s.major_code for s in SCENARIOS)
    assert set(per_major) == set(MAJORS)
    assert min(per_major.values()) >= 3
    assert len(SCENARIOS) >= 120


def test_scenario_titles_and_bodies_are_distinct() -> None:
    assert len({s.title for s in SCENARIOS}) == len(SCENARIOS)
    assert len({s.body for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("seed", range(5))
def test_every_scenario_renders_within_bounds(seed: int) -> None:
    rng = random.Random(seed)
    for scenario in SCENARIOS:
        m = build_message(rng, scenario)
        assert len(m.title) <= TITLE_MAX
        assert CONTENT_MIN <= len(m.content) <= CONTENT_MAX
        assert m.nature == scenario.nature


def test_the_generator_modules_do_not_import_django() -> None:
    package = Path(__file__).resolve().parent.parent
    for name in ("generator", "scenarios", "scenarios_a", "scenarios_b", "scenarios_c", "vocab"):
        tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
        imported = [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [module for module in imported if module.startswith("django")], name
