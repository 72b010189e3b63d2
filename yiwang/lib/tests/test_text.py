from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.lib.text import count_chars, normalize_for_fingerprint, to_halfwidth


def test_it_turns_full_width_digits_letters_and_spaces_into_ascii() -> None:
    assert to_halfwidth("１３８　ＡＢｃ＠") == "138 ABc@"


def test_it_leaves_chinese_characters_alone_when_making_text_half_width() -> None:
    assert to_halfwidth("路灯坏了。") == "路灯坏了。"


def test_it_collapses_whitespace_and_strips_for_the_fingerprint() -> None:
    assert normalize_for_fingerprint("  路灯\n\n坏了\t 三天 ") == "路灯 坏了 三天"


def test_it_folds_full_width_forms_and_ideographic_spaces_for_the_fingerprint() -> None:
    assert normalize_for_fingerprint("ＡＢＣ　１２３") == "ABC 123"


def test_it_ignores_zero_width_characters_in_the_fingerprint() -> None:
    assert normalize_for_fingerprint("路\u200b灯\ufeff坏了") == "路灯坏了"


@settings(database=None)
@given(st.text())
def test_the_fingerprint_is_idempotent(text: str) -> None:
    once = normalize_for_fingerprint(text)
    assert normalize_for_fingerprint(once) == once


def test_it_counts_chinese_characters_not_utf8_bytes() -> None:
    assert count_chars("路灯坏了") == 4


def test_it_counts_a_decomposed_accent_as_one_character() -> None:
    assert count_chars("e\u0301") == 1


def test_it_counts_a_windows_line_break_as_one_character_like_the_browser() -> None:
    assert count_chars("a\r\nb") == 3
