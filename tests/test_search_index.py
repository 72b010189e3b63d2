"""Messages are searchable from the moment they are stored; `reindex` rebuilds the index."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command

from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.jobs.registry import JOBS
from yiwang.search.actions import do_index, do_remove_missing
from yiwang.search.kinds import MESSAGE
from yiwang.search.models import CorpusStatistic, Document
from yiwang.search.queries import search
from yiwang.search.tasks import refresh_statistics

pytestmark = pytest.mark.django_db


def test_a_submitted_message_is_indexed_in_the_same_transaction(
    submit: Callable[..., SubmissionResult],
) -> None:
    message = submit(title="公积金提取进度查询", content="申请提取住房公积金一个月没有结果").message
    assert search(MESSAGE, "积金提").ids == [message.pk]


def test_a_duplicate_submission_adds_no_second_document(
    submit: Callable[..., SubmissionResult],
) -> None:
    first = submit(token="same-token-0123456789abcdef").message
    submit(token="same-token-0123456789abcdef")
    assert list(Document.objects.values_list("object_id", flat=True)) == [first.pk]


def test_reindex_restores_lost_documents_and_drops_stale_ones(
    submit: Callable[..., SubmissionResult],
) -> None:
    kept = submit(title="路灯不亮", mobile="13900139000").message
    lost = submit(title="垃圾清运不及时", mobile="13700137000").message
    Document.objects.filter(object_id=lost.pk).delete()
    Document.objects.create(kind=MESSAGE, object_id=999_999, title="gone", tokens="x", length=1)
    out = io.StringIO()
    call_command("reindex", "--kind", MESSAGE, "--batch-size", "1", stdout=out)
    assert "message: 2 indexed, 1 removed, 2 counted" in out.getvalue()
    assert CorpusStatistic.objects.get(kind=MESSAGE).documents == 2  # statistics refreshed
    assert set(Document.objects.values_list("object_id", flat=True)) == {kept.pk, lost.pk}
    assert search(MESSAGE, "垃圾清运").ids == [lost.pk]


def test_the_demo_loader_leaves_every_message_searchable() -> None:
    call_command("load_demo", "--messages", "5", "--no-real-data", stdout=io.StringIO())
    messages = set(Message.objects.values_list("pk", flat=True))
    assert messages
    indexed = Document.objects.filter(kind=MESSAGE).values_list("object_id", flat=True)
    assert set(indexed) == messages


def test_documents_whose_object_is_gone_are_removed(
    submit: Callable[..., SubmissionResult],
) -> None:
    kept = submit(title="保留的留言").message
    gone = submit(title="删除的留言").message
    do_index("message", 10**9, "早已删除", "")  # a document whose message no longer exists
    assert do_remove_missing("message", Message.objects.all()) == 1
    assert set(Document.objects.filter(kind="message").values_list("object_id", flat=True)) == {
        kept.pk,
        gone.pk,
    }


def test_the_nightly_job_refreshes_the_statistics_of_every_kind(
    submit: Callable[..., SubmissionResult],
) -> None:
    submit(title="路灯不亮")
    assert refresh_statistics.call("2026-11-28T02:40:00+08:00") == 1
    assert CorpusStatistic.objects.get(kind=MESSAGE).documents == 1
    assert "refresh_search_statistics" in {job.name for job in JOBS}
