"""Hypothesis strategies for the contact data citizens type, shared by the lib tests."""

from datetime import date

from hypothesis import strategies as st

from yiwang.lib.contact import id_number_check_char

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


def id_number(region: str, birth: date, sequence: int) -> str:
    first_17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first_17 + id_number_check_char(first_17)


def id_numbers(born_by: date) -> st.SearchStrategy[str]:
    """Valid 18-character resident ID numbers (any region code) of people born by ``born_by``."""
    return st.builds(
        id_number,
        st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
        st.dates(min_value=date(1900, 1, 1), max_value=born_by),
        st.integers(min_value=0, max_value=999),
    )
