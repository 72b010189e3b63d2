"""Messages are searchable from the moment they are stored; `reindex` rebuilds the index."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command

from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Message
from yiwang.search.kinds import MESSAGE
from yiwang.search.models import Document
from yiwang.search.queries import search

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
    assert "message: 2 indexed, 1 removed" in out.getvalue()
    assert set(Document.objects.values_list("object_id", flat=True)) == {kept.pk, lost.pk}
    assert search(MESSAGE, "垃圾清运").ids == [lost.pk]


def test_the_demo_loader_leaves_every_message_searchable() -> None:
    call_command("load_demo", "--messages", "5", "--no-real-data", stdout=io.StringIO())
    messages = set(Message.objects.values_list("pk", flat=True))
    assert messages
    assert set(Document.objects.values_list("object_id", flat=True)) == messages
