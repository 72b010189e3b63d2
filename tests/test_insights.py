"""Hot topics and the leaders' daily briefing: what people are writing about most, each
morning, with the day's figures and exemplary messages."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from yiwang.accounts.models import User
from yiwang.insights.actions import do_compute_topics, do_record_support
from yiwang.insights.models import Topic, TopicMember
from yiwang.insights.tasks import compute_topics
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.lib.topics import Doc, find_topics

DAY = dt.date(2026, 11, 20)
MATTERS = {
    "plant": ("搅拌站噪音", ["丽发新城", "搅拌站", "噪音", "粉尘", "夜间施工", "污染"]),
    "parking": ("捆绑销售车位", ["滨河苑", "车位", "捆绑销售", "开发商", "购房", "强制"]),
    "school": ("学位不足", ["学位", "入学", "小学", "划片", "适龄儿童", "教育局"]),
}
SHARED = "希望有关部门尽快处理，谢谢。"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "tipdm2020"


def text_about(matter: str, rng: random.Random) -> tuple[str, str]:
    title, words = MATTERS[matter]
    picked = rng.sample(words, 4)
    return (
        f"{title}{rng.randint(1, 99)}",
        f"关于{'、'.join(picked)}的问题，{picked[0]}很严重。{SHARED}",
    )


def docs(counts: dict[str, list[int]], rng: random.Random) -> list[Doc]:
    """``counts[matter][i]``: messages about ``matter`` on DAY minus i days."""
    found: list[Doc] = []
    for matter, per_day in counts.items():
        for back, count in enumerate(per_day):
            for _ in range(count):
                title, text = text_about(matter, rng)
                found.append(Doc(len(found), title, text, DAY - dt.timedelta(days=back)))
    return found


def test_messages_about_one_matter_form_one_topic_labelled_by_its_words() -> None:
    rng = random.Random(1)
    found = find_topics(docs({"plant": [6, 2], "parking": [2, 2], "school": [1, 1]}, rng), DAY)
    assert [t.volume for t in found] == [8, 4]  # two of school: below the minimum of three
    plant = found[0]
    assert "搅拌站" in plant.words or "噪音" in plant.words
    assert plant.recent == 6
    assert plant.growth == 3.0


def test_growth_and_public_support_rank_a_smaller_topic_higher() -> None:
    rng = random.Random(2)
    corpus = docs({"plant": [1, 3, 3], "parking": [4, 0, 0]}, rng)
    found = find_topics(corpus, DAY)
    assert [t.volume for t in found] == [7, 4]
    grown = find_topics(
        [Doc(d.id, d.title, d.text, d.day, 400 if "车位" in d.title else 0) for d in corpus], DAY
    )
    assert grown[0].volume == 4  # the parking topic: new today and widely supported


def test_too_few_or_empty_messages_make_no_topic() -> None:
    assert find_topics([], DAY) == []
    assert find_topics([Doc(1, "", "", DAY), Doc(2, "", "", DAY), Doc(3, "", "", DAY)], DAY) == []


@pytest.fixture
def recent_messages(submit: Callable[..., SubmissionResult]) -> list[Message]:
    rng = random.Random(3)
    made = []
    for matter, count in (("plant", 5), ("parking", 3)):
        for _ in range(count):
            title, text = text_about(matter, rng)
            made.append(submit(title=title, content=text).message)
    do_record_support(made[-1].pk, likes=120, dislikes=3)
    return made


def test_the_days_topics_are_stored_and_recomputed_as_a_whole(
    recent_messages: list[Message],
) -> None:
    today = timezone.localdate()
    first = do_compute_topics(today)
    # The parking topic is smaller but 117 people support it: it comes first.
    assert [(t.volume, t.support) for t in first] == [(3, 117), (5, 0)]
    assert TopicMember.objects.filter(topic=first[1]).count() == 5
    again = do_compute_topics(today)
    assert Topic.objects.filter(day=today).count() == len(again) == 2
    with pytest.raises(ValueError, match="never negative"):
        do_record_support(recent_messages[0].pk, likes=-1, dislikes=0)


def test_the_first_hourly_run_of_a_day_also_finishes_yesterday(
    recent_messages: list[Message],
) -> None:
    today = timezone.localdate()
    midnight = dt.datetime.combine(
        today + dt.timedelta(days=1), dt.time(), timezone.get_current_timezone()
    )
    compute_topics.call(midnight.isoformat())
    assert Topic.objects.filter(day=today).count() == 2


def test_a_leader_reads_the_briefing_with_topics_figures_and_downloads(
    recent_messages: list[Message],
    leader: User,
    signed_in: Callable[[User], Client],
) -> None:
    do_compute_topics(timezone.localdate())
    client = signed_in(leader)
    page = client.get("/staff/briefing/").content.decode()
    assert "热点话题" in page
    assert "搅拌站噪音" in page
    assert "捆绑销售车位" in page
    book = load_workbook(io.BytesIO(client.get("/staff/briefing/briefing.xlsx").content))
    titles = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert len(titles) == 2
    pdf = PdfReader(io.BytesIO(client.get("/staff/briefing/briefing.pdf").content))
    assert "搅拌站噪音" in pdf.pages[0].extract_text().replace("\x00", "")
    topic = Topic.objects.get(rank=2)
    listed = client.get(f"/staff/briefing/topics/{topic.pk}/").content.decode()
    assert recent_messages[0].tracking_number in listed


def test_a_clerk_cannot_read_the_briefing(clerk: User, signed_in: Callable[[User], Client]) -> None:
    assert signed_in(clerk).get("/staff/briefing/").status_code == 403


def test_the_command_groups_the_messages_of_a_file(tmp_path: Path) -> None:
    rng = random.Random(4)
    lines = ["留言主题,留言时间,留言详情,反对数,点赞数"]
    for n in range(6):
        title, text = text_about("parking", rng)
        lines.append(f"{title},2019/2/{n + 1} 10:00:00,{text},0,{n}")
    source = tmp_path / "votes.csv"
    source.write_text("\n".join(lines), encoding="utf-8")
    out = io.StringIO()
    call_command("insights", "topics", "--file", str(source), stdout=out)
    assert "6 messages, support 15" in out.getvalue()


def test_a_file_without_dates_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("title,text\n车位,捆绑销售车位\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2: no readable date"):
        call_command("insights", "topics", "--file", str(source))
    with pytest.raises(CommandError, match="at least one day"):
        call_command("insights", "topics", "--window", "0")


@pytest.mark.skipif(not (REAL / "messages_with_votes.csv").exists(), reason="no real data here")
def test_on_the_real_board_the_known_hot_topics_come_first() -> None:
    out = io.StringIO()
    call_command(
        "insights",
        "topics",
        "--file",
        str(REAL / "messages_with_votes.csv"),
        "--top",
        "5",
        stdout=out,
    )
    text = out.getvalue()
    # The TipDM 2020 board's best-known hot topics: parking spaces sold with flats at one
    # estate, and a concrete plant's noise next to another.
    assert "车位" in text
    assert "搅拌站" in text


def test_an_unknown_topic_or_a_garbled_day_is_handled_plainly(
    leader: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(leader)
    assert client.get("/staff/briefing/topics/999999/").status_code == 404
    assert client.get("/staff/briefing/?day=not-a-day").status_code == 200  # today's
