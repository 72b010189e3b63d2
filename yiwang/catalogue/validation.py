"""The checks an item or an implementation must pass, wherever it comes from (import, admin).

Each returns the problems by field name, in words for the person who sent the data; an empty
dict means the values may be stored.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from yiwang.catalogue.codes import (
    IMPLEMENTATION_CODE,
    Node,
    TimeUnit,
    basic_code_problem,
    credit_code_problem,
)

# Limits in different units are compared in calendar days: five working days to the week.
_DAYS = {TimeUnit.WORKING_DAYS: 1.4, TimeUnit.CALENDAR_DAYS: 1.0, TimeUnit.MONTHS: 30.0}
MAX_LIMIT = 3650  # ten years in days: anything longer is a typing error
MAX_QUESTION, MAX_ANSWER = 500, 4000  # characters of one frequently asked question
MAX_QUESTIONS = 30  # an implementation's frequently asked questions


def item_problems(
    basic_code: str, item_type: str, node: str, parent_node: str | None, business_kind: str
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if why := basic_code_problem(basic_code, item_type):
        problems["basic_code"] = why
    if node == Node.MAIN and parent_node is not None:
        problems["parent"] = _("A main item has no parent item.")
    elif node == Node.SUB and parent_node != Node.MAIN:
        problems["parent"] = _("A sub-item belongs to a main item.")
    elif node == Node.BUSINESS and parent_node not in (Node.MAIN, Node.SUB):
        problems["parent"] = _("A business item belongs to a main item or a sub-item.")
    if node != Node.BUSINESS and business_kind:
        problems["business_kind"] = _("Only a business item has a kind of business.")
    return problems


def implementation_problems(
    code: str,
    credit_code: str,
    statutory: tuple[int, str],
    promised: tuple[int, str],
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not IMPLEMENTATION_CODE.fullmatch(code):
        problems["code"] = _("An implementation code is 10 to 24 capital letters or digits.")
    if why := credit_code_problem(credit_code):
        problems["body_credit_code"] = why
    problems.update(_limit_problems(statutory, promised))
    return problems


def _limit_problems(statutory: tuple[int, str], promised: tuple[int, str]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for field, (value, unit) in (("statutory_limit", statutory), ("promised_limit", promised)):
        if unit not in TimeUnit.values:
            problems[field] = _("The unit must be one of: %(units)s.") % {
                "units": ", ".join(TimeUnit.values)
            }
        elif unit == TimeUnit.IMMEDIATE and value != 0:
            problems[field] = _("A limit done immediately is 0.")
        elif unit != TimeUnit.IMMEDIATE and not 1 <= value * _DAYS[TimeUnit(unit)] <= MAX_LIMIT:
            problems[field] = _("A time limit is between 1 day and 10 years.")
    if not problems and _days(promised) > _days(statutory):
        problems["promised_limit"] = _("The promised time limit cannot exceed the statutory one.")
    return problems


def _days(limit: tuple[int, str]) -> float:
    value, unit = limit
    return 0.0 if unit == TimeUnit.IMMEDIATE else value * _DAYS[TimeUnit(unit)]


def question_problem(question: str, answer: str) -> str:
    """What is wrong with one frequently asked question ("" when nothing), in words that
    follow "Question 2:"."""
    if len(question) > MAX_QUESTION or len(answer) > MAX_ANSWER:
        return _("a question has at most %(question)d characters, an answer %(answer)d.") % {
            "question": MAX_QUESTION, "answer": MAX_ANSWER
        }  # fmt: skip
    return ""
