"""Deterministic generator of demo citizen messages (pure Python, no Django).

The texts come from hand-written scenarios (``scenarios_a``-``c``) whose slots are filled
with invented places, people and amounts. Contact details are obviously fake: mobiles start
with 1390000, e-mails are at example.com / example.cn, and the occasional ID number is
built from the region code, a birth date and a sequence number with a computed check digit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from yiwang.demo import vocab
from yiwang.demo.scenarios import MAJOR_PROFILE, MAJORS, Scenario, scenarios_for

TITLE_MAX = 60
CONTENT_MIN = 80
CONTENT_MAX = 600
DAYS = 14
MOBILE_PREFIX = "1390000"
THEME_SHARE = 0.42  # of messages in majors that have fitting themes -> ~40% overall

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_BIRTH_FIRST = dt.date(1950, 1, 1)
_BIRTH_SPAN_DAYS = (dt.date(2002, 12, 31) - _BIRTH_FIRST).days

# Majors where writers tend to identify themselves with an ID number.
_ID_PRONE_MAJORS = frozenset({"10", "11", "14", "16", "19", "30", "31", "38"})
_ID_NATURES = frozenset({"help", "consult", "complaint", "report"})

# (centre minute, spread): mid-morning, mid-afternoon and evening peaks.
_DAY_PEAKS = ((600, 70), (930, 80), (1230, 60))
_DAY_PEAK_WEIGHTS = (5.0, 4.0, 2.0)
_FLAT_SHARE = 0.12


@dataclass(frozen=True)
class DemoMessage:
    title: str
    content: str
    nature: str
    major_code: str
    region_code: str
    theme_code: str | None
    contact_name: str
    mobile: str | None
    email: str | None
    consent_publish: bool
    days_ago: int
    minutes_into_day: int


def generate_messages(count: int, *, seed: int = 2017) -> list[DemoMessage]:
    """Return ``count`` demo messages; the same seed always gives the same list."""
    if count < 0:
        raise ValueError("count must not be negative")
    rng = random.Random(seed)
    return [build_message(rng, rng.choice(scenarios_for(code))) for code in _majors(rng, count)]


def build_message(rng: random.Random, scenario: Scenario) -> DemoMessage:
    """Fill one scenario with invented details and wrap it in a message."""
    region_code = _weighted(rng, {code: w for code, (_, w) in vocab.REGIONS.items()})
    slots = _slots(rng, vocab.REGIONS[region_code][0])
    mobile = f"{MOBILE_PREFIX}{rng.randrange(10_000):04d}" if rng.random() < 0.8 else None
    slots["mobile"] = mobile or ""
    slots["id_number"] = fictional_id_number(rng, region_code)
    return DemoMessage(
        title=scenario.title.format_map(slots),
        content=_content(rng, scenario, slots),
        nature=scenario.nature,
        major_code=scenario.major_code,
        region_code=region_code,
        theme_code=_theme(rng, scenario.major_code),
        contact_name=_contact_name(rng),
        mobile=mobile,
        email=_email(rng) if rng.random() < 0.2 else None,
        consent_publish=rng.random() < 0.6,
        days_ago=_days_ago(rng),
        minutes_into_day=_minute_of_day(rng),
    )


def id_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def is_valid_id_number(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and id_check_digit(number[:17]) == number[17]


def fictional_id_number(rng: random.Random, region_code: str) -> str:
    """Region code + a birth date + a sequence number, closed with its computed check digit."""
    birth = _BIRTH_FIRST + dt.timedelta(days=rng.randrange(_BIRTH_SPAN_DAYS + 1))
    first17 = f"{region_code}{birth:%Y%m%d}{rng.randint(1, 999):03d}"
    return first17 + id_check_digit(first17)


def _majors(rng: random.Random, count: int) -> list[str]:
    """Every major once when there is room, the rest drawn by how often people write."""
    codes = list(MAJORS)
    weights = [MAJOR_PROFILE[code][0] for code in codes]
    if count < len(codes):
        return rng.choices(codes, weights=weights, k=count)
    picked = codes + rng.choices(codes, weights=weights, k=count - len(codes))
    rng.shuffle(picked)
    return picked


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _slots(rng: random.Random, district: str) -> dict[str, str]:
    road, road2 = rng.sample(vocab.ROADS, 2)
    floor = rng.randint(6, 28)
    return {
        "district": district,
        "estate": rng.choice(vocab.ESTATE_HEADS) + rng.choice(vocab.ESTATE_TAILS),
        "road": road,
        "road2": road2,
        "school": rng.choice(vocab.SCHOOLS),
        "hospital": rng.choice(vocab.HOSPITALS),
        "company": rng.choice(vocab.COMPANY_HEADS) + rng.choice(vocab.COMPANY_TRADES) + "有限公司",
        "village": rng.choice(vocab.VILLAGE_HEADS) + "村",
        "shop": rng.choice(vocab.SHOPS),
        "staff": rng.choice(vocab.SURNAMES),
        "when": rng.choice(vocab.WHEN),
        "dur": rng.choice(vocab.DURATIONS),
        "night": rng.choice(vocab.NIGHTS),
        **_numbers(rng, floor),
    }


def _numbers(rng: random.Random, floor: int) -> dict[str, str]:
    return {
        "months": str(rng.randint(2, 9)),
        "days": str(rng.randint(3, 20)),
        "n": str(rng.randint(2, 6)),
        "year": str(rng.randint(2012, 2022)),
        "bus": str(rng.randint(12, 398)),
        "age": str(rng.randint(80, 93)),
        "kid_age": str(rng.randint(6, 14)),
        "floor": str(floor),
        "bldg": str(rng.randint(1, 18)),
        "unit": str(rng.randint(1, 4)),
        "room": f"{floor}0{rng.randint(1, 4)}",
        "fare": str(rng.randint(45, 95)),
        "tuition": str(rng.randrange(6800, 19801, 100)),
        "card": str(rng.randrange(2800, 8801, 100)),
        "amount": str(rng.randrange(300, 3001, 10)),
        "wage": str(rng.randrange(4500, 12001, 100)),
    }


def _content(rng: random.Random, scenario: Scenario, slots: dict[str, str]) -> str:
    opening = _weighted(rng, dict(vocab.OPENINGS))
    parts = [opening, scenario.body]
    extras = vocab.EXTRAS[scenario.nature]
    if extras and rng.random() < 0.4:
        parts.append(rng.choice(extras))
    parts.extend(_personal_lines(rng, scenario, slots))
    parts.append(rng.choice(vocab.CLOSINGS[scenario.nature]))
    return "".join(parts).format_map(slots)


def _personal_lines(rng: random.Random, scenario: Scenario, slots: dict[str, str]) -> list[str]:
    """Details the desk must mask later: a mobile, a home address, now and then an ID."""
    lines = []
    if rng.random() < 0.15:
        lines.append(rng.choice(vocab.ADDRESS_LINES))
    id_share = 0.15 if scenario.major_code in _ID_PRONE_MAJORS else 0.03
    if rng.random() < id_share and scenario.nature in _ID_NATURES:
        lines.append(rng.choice(vocab.ID_LINES))
    if slots["mobile"] and rng.random() < 0.25:
        lines.append(rng.choice(vocab.MOBILE_LINES))
    return lines


def _theme(rng: random.Random, major_code: str) -> str | None:
    fitting = MAJOR_PROFILE[major_code][1]
    if not fitting or rng.random() >= THEME_SHARE:
        return None
    return rng.choice(fitting)


def _contact_name(rng: random.Random) -> str:
    surname = rng.choice(vocab.SURNAMES)
    if rng.random() < 0.7:
        return surname + rng.choice(("先生", "女士"))
    return surname + "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(rng.randint(1, 2)))


def _email(rng: random.Random) -> str:
    stem = rng.choice(vocab.EMAIL_STEMS)
    return f"{stem}{rng.randrange(10, 10_000)}@{rng.choice(vocab.EMAIL_DOMAINS)}"


def _days_ago(rng: random.Random) -> int:
    return rng.choices(range(DAYS), weights=[0.86**day for day in range(DAYS)])[0]


def _minute_of_day(rng: random.Random) -> int:
    """Mostly around office-hour peaks and the evening, with a thin spread over the day."""
    if rng.random() < _FLAT_SHARE:
        return rng.randrange(24 * 60)
    centre, spread = rng.choices(_DAY_PEAKS, weights=_DAY_PEAK_WEIGHTS)[0]
    return min(24 * 60 - 1, max(0, round(rng.gauss(centre, spread))))
