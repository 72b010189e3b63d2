"""Importers write, suggest and look for duplicates a batch at a time: the batch paths store
exactly what the one-message paths store, and hand back what they cannot write in bulk."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from tests.conftest import message_input
from yiwang.classifier.actions import Proposal, Ranked, do_record_suggestions, do_set_auto_apply
from yiwang.classifier.engine import KeywordClassifier
from yiwang.classifier.models import Suggestion, Target
from yiwang.classifier.suggest import do_suggest
from yiwang.dedupe.actions import do_find_duplicates_many, find_earlier, find_earlier_many
from yiwang.dedupe.models import Duplicate, SketchKey
from yiwang.intake.actions import (
    Submission,
    SubmissionContext,
    SubmissionResult,
    do_submit_many,
    do_submit_message,
)
from yiwang.intake.models import Channel, EventKind, Message, MessageEvent
from yiwang.intake.numbers import reserved_for
from yiwang.intake.validation import validate_submission
from yiwang.lib.neardup import fingerprint
from yiwang.orgs.models import Department, Region
from yiwang.search.models import Document
from yiwang.taxonomy.models import Category
from yiwang.taxonomy.routing import Router, route_lead_department

pytestmark = pytest.mark.django_db

LIFT = "我们小区3幢的电梯已经坏了两个月，物业一直不修。楼里住着很多老人，上下楼非常困难。"
BUS = "我家门口的公交站台去年拆除后一直没有恢复，早上上班要多走两公里，希望尽快恢复站台。"


def submission(number: int, **overrides: Any) -> Submission:
    values = {"content": f"{LIFT}（第{number}号工单）", "mobile": f"1380013{number:04d}"}
    clean = validate_submission(message_input(**{**values, **overrides}))
    context = SubmissionContext(
        channel=Channel.IMPORT,
        submission_token=f"import:hotline:GD{number}",
        source="hotline",
        external_id=f"GD{number}",
        suggest_later=True,
        send_receipt=False,
    )
    return Submission(clean, context)


def submit_many(submissions: list[Submission]) -> list[SubmissionResult | None]:
    """As the importer calls it: in a transaction, with today's numbers reserved."""
    with transaction.atomic(), reserved_for(Counter({timezone.localdate(): len(submissions)})):
        return do_submit_many(submissions)


def stored_rows(message: Message) -> dict[str, Any]:
    """What intake stores beside the message row."""
    return {
        "events": list(
            MessageEvent.objects.filter(message=message).values_list("kind", "is_public")
        ),
        "document": Document.objects.filter(object_id=message.pk).values_list("tokens").get(),
        "sketch": sorted(
            SketchKey.objects.filter(message_id=message.pk).values_list("key", flat=True)
        ),
    }


def test_a_batch_stores_what_one_by_one_submission_stores(regions: dict[str, Region]) -> None:
    alone = do_submit_message(submission(1).clean, submission(1).context).message
    results = submit_many([submission(2), submission(3)])
    batch = [result.message for result in results if result is not None]
    assert len(batch) == 2
    assert all(result and result.created for result in results)
    for message in batch:
        message.refresh_from_db()
        assert message.tracking_number
        assert message.query_code_digest
        assert message.mobile_hash
        assert message.external_id.startswith("GD")
        assert stored_rows(message)["events"] == [(EventKind.SUBMITTED, True)]
    assert len(stored_rows(batch[0])["sketch"]) == len(stored_rows(alone)["sketch"]) == 12
    assert len({m.tracking_number for m in [alone, *batch]}) == 3


def test_a_batch_leaves_repeats_to_the_one_by_one_path(regions: dict[str, Region]) -> None:
    stored = submission(1)
    do_submit_message(stored.clean, stored.context)
    again = submission(1)  # the same work order imported again: same token
    twin = Submission(submission(5).clean, submission(6).context)  # same words and mobile as 5
    results = submit_many([again, submission(5), twin, submission(7)])
    assert results[0] is None
    assert results[2] is None
    assert results[1] is not None
    assert results[3] is not None
    assert Message.objects.count() == 3


def test_a_batch_raced_by_another_writer_is_left_whole_to_the_one_by_one_path(
    regions: dict[str, Region],
) -> None:
    first = submission(1)
    other_way = SubmissionContext(
        channel=Channel.API,
        submission_token="another-token",
        source="hotline",
        external_id="GD2",  # the external id the batch's second row will carry
    )
    do_submit_message(validate_submission(message_input(content=BUS)), other_way)
    results = submit_many([first, submission(2)])
    assert results == [None, None]
    assert Message.objects.count() == 1  # nothing of the batch was written


def test_duplicates_found_in_a_batch_are_those_found_one_by_one(
    submit: Callable[..., SubmissionResult],
) -> None:
    rng = random.Random(7)
    sentences = [s + "。" for s in LIFT.split("。") if s] + [s + "。" for s in BUS.split("。") if s]
    messages = []
    for number in range(24):
        picked = rng.sample(sentences, k=rng.randint(2, len(sentences)))
        mobile = f"1390000{rng.randrange(6):04d}"  # some citizens write more than once
        messages.append(submit(content="".join(picked) + f"{number}", mobile=mobile).message)
    one_by_one = {m.pk: find_earlier(m) for m in messages}
    assert find_earlier_many(messages) == one_by_one
    assert sum(map(len, one_by_one.values())) > 10  # the case is not trivially empty


def test_every_message_of_a_batch_is_marked_as_checked_and_its_duplicates_kept(
    submit: Callable[..., SubmissionResult],
) -> None:
    first = submit(content=LIFT, mobile="13900000001").message
    again = submit(content=LIFT + "请尽快处理。", mobile="13900000002").message
    other = submit(content=BUS, mobile="13900000003").message
    assert do_find_duplicates_many([first.pk, again.pk, other.pk, 10**9]) == 1
    do_find_duplicates_many([again.pk])  # again: nothing twice
    assert list(Duplicate.objects.values_list("message", "earlier")) == [(again.pk, first.pk)]
    checked = Message.objects.exclude(duplicates_checked_at=None)
    assert set(checked.values_list("pk", flat=True)) == {first.pk, again.pk, other.pk}


def test_keyword_hits_are_counted_as_a_search_per_keyword_would_count_them() -> None:
    rng = random.Random(3)
    alphabet = "电梯坏了物业公交站台噪音"
    keywords = [
        "电梯",
        "物业",
        "电梯坏",
        "梯坏了物",
        "公交",
        "站台",
        "噪音噪音",
        "了了",
        "噪",
        "坏",
    ]
    table = KeywordClassifier({(str(i),): [word] for i, word in enumerate(keywords)})
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        expected = {word: text.count(word) for word in keywords if text.count(word)}
        assert table._substring_hits(text) == expected


def test_the_batch_router_routes_as_the_routing_rule(
    departments: dict[str, Department], taxonomy: dict[str, Category]
) -> None:
    router = Router()
    for category in taxonomy.values():
        for region in Region.objects.all():
            assert router.lead(category, region.pk) == route_lead_department(category, region)


def test_suggestions_of_a_batch_keep_only_valid_ids_and_apply_the_supervisors_rules(
    submit: Callable[..., SubmissionResult],
    taxonomy: dict[str, Category],
    departments: dict[str, Department],
    supervisor: Any,
) -> None:
    sure, unsure = submit(content=LIFT).message, submit(content=BUS).message
    do_set_auto_apply(supervisor, taxonomy["housing"].pk, 0.8)
    repairs, buses = taxonomy["repairs"].pk, taxonomy["buses"].pk
    recorded = do_record_suggestions(
        [
            Proposal(sure.pk, Target.CATEGORY, [Ranked(repairs, 0.95), Ranked(10**9, 0.05)]),
            Proposal(unsure.pk, Target.CATEGORY, [Ranked(buses, 0.55)]),
        ]
    )
    assert [[r["id"] for r in s.ranked] for s in recorded] == [[repairs], [buses]]
    sure.refresh_from_db()
    unsure.refresh_from_db()
    assert sure.category_id == repairs
    assert unsure.category_id is None
    assert recorded[0].pk is not None
    assert Suggestion.objects.count() == 2


def test_an_edited_keyword_changes_the_next_suggestions(
    submit: Callable[..., SubmissionResult], taxonomy: dict[str, Category]
) -> None:
    message = submit(content="楼道里的路灯坏了很久，晚上很黑，请尽快处理。").message
    do_suggest([message.pk])
    assert Suggestion.objects.get(message=message, target=Target.CATEGORY).abstained
    Category.objects.filter(pk=taxonomy["repairs"].pk).update(keywords=["路灯"])
    do_suggest([message.pk], again=True)
    latest = Suggestion.objects.filter(message=message, target=Target.CATEGORY).latest("pk")
    assert latest.ranked[0]["id"] == taxonomy["repairs"].pk


def test_the_rehash_migration_computes_every_stored_sketch_again(
    submit: Callable[..., SubmissionResult],
) -> None:
    import importlib

    message = submit(content=LIFT).message
    SketchKey.objects.filter(message_id=message.pk).update(key=1)  # an old hash
    rehash = importlib.import_module("yiwang.dedupe.migrations.0002_rehash_sketches").rehash
    rehash(apps, connection.schema_editor())
    stored = sorted(SketchKey.objects.filter(message_id=message.pk).values_list("key", flat=True))
    assert stored == list(fingerprint(message.title, message.content).keys)


def test_pieces_kept_between_batches_are_not_used_for_a_text_that_changed(
    submit: Callable[..., SubmissionResult],
) -> None:
    first = submit(content=LIFT, mobile="13900000001").message
    again = submit(content=LIFT + "请尽快处理。", mobile="13900000002").message
    assert [pk for pk, _r, _s in find_earlier(again)] == [first.pk]  # first's pieces now kept
    Message.objects.filter(pk=first.pk).update(content=BUS)  # (no page edits a text; a fixer)
    SketchKey.objects.filter(message_id=first.pk).delete()
    SketchKey.objects.bulk_create(
        SketchKey(message_id=first.pk, key=key) for key in fingerprint(first.title, LIFT).keys
    )  # the index still points at it, so it is a candidate again
    assert find_earlier(again) == []
