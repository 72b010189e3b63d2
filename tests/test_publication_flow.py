"""Choosing exemplary messages: propose, mask, adjust, approve (twice for a summary), publish,
unpublish — and the personal-information impact record every publication leaves."""

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from yiwang.accounts.models import User
from yiwang.intake.actions import SubmissionResult
from yiwang.lib import pii
from yiwang.publishing import actions
from yiwang.publishing.actions import (
    Draft,
    PublicationError,
    do_approve,
    do_decline,
    do_propose,
    do_reopen,
    do_save_draft,
    do_unpublish,
)
from yiwang.publishing.models import (
    ImpactAction,
    ImpactRecord,
    Publication,
    PublicationForm,
    PublicationState,
    RecordRetained,
)
from yiwang.search.queries import search

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The refusals are matched by their English wording."""
    with translation.override("en"):
        yield


PERSONAL = "我叫王小明，电话13912345678，住在阳光小区3栋2单元501室，小区电梯坏了两个月。"

Answered = Callable[..., SubmissionResult]


def test_a_clerk_proposes_a_replied_message_and_the_draft_is_already_masked(
    answered: Answered, clerk: User
) -> None:
    message = answered(content=PERSONAL, consent_publish=True).message
    publication = do_propose(clerk, message.pk, "回复及时，具有示范性")
    assert publication.state == PublicationState.PROPOSED
    assert publication.form == PublicationForm.MASKED
    assert "13912345678" not in publication.text
    assert "139****5678" in publication.text
    assert "王某某" in publication.text
    assert "501" not in publication.text
    assert publication.reply == "已安排维修，本周内完成。"


def test_a_message_without_an_approved_reply_cannot_be_proposed(
    submit: Callable[..., SubmissionResult], clerk: User
) -> None:
    with pytest.raises(PublicationError, match="reply is approved"):
        do_propose(clerk, submit().message.pk, "")


def test_a_message_is_proposed_once(answered: Answered, clerk: User, editor: User) -> None:
    message = answered(consent_publish=True).message
    do_propose(clerk, message.pk, "")
    with pytest.raises(PublicationError, match="already"):
        do_propose(editor, message.pk, "")


def test_a_department_officer_cannot_propose_but_the_desk_can(
    answered: Answered, dept_head: User, clerk: User
) -> None:
    message = answered(consent_publish=True).message
    with pytest.raises(PermissionDenied):
        do_propose(dept_head, message.pk, "")
    assert do_propose(clerk, message.pk, "").pk


def test_an_editor_publishes_a_consented_message_and_it_can_be_found(
    answered: Answered, clerk: User, editor: User
) -> None:
    message = answered(content=PERSONAL, consent_publish=True).message
    publication = do_approve(editor, do_propose(clerk, message.pk, "").pk)
    assert publication.state == PublicationState.PUBLISHED
    message.refresh_from_db()
    assert publication.department_id == message.lead_department_id is not None
    assert search("publication", "电梯").ids == [publication.pk]
    assert search("publication", "13912345678").ids == []


def test_publishing_leaves_an_impact_record_with_kinds_and_counts_only(
    answered: Answered, clerk: User, editor: User
) -> None:
    message = answered(content=PERSONAL, consent_publish=True).message
    publication = do_approve(editor, do_propose(clerk, message.pk, "").pk)
    record = ImpactRecord.objects.get(publication=publication)
    assert record.action == ImpactAction.PUBLISHED
    assert record.assessed_by == editor
    assert record.consent is True
    assert record.masked == {"address": 1, "mobile": 1, "name": 1}
    assert "13912345678" not in str(record.masked)
    assert record.retain_until >= timezone.localdate() + timedelta(days=3 * 365)


def test_an_impact_record_cannot_be_deleted_within_three_years(
    answered: Answered, clerk: User, editor: User
) -> None:
    publication = do_approve(
        editor, do_propose(clerk, answered(consent_publish=True).message.pk, "").pk
    )
    record = publication.impact_records.get()
    with pytest.raises(RecordRetained):
        record.delete()
    with time_machine.travel(record.retain_until + timedelta(days=1)):
        record.delete()


def test_an_editor_adjusts_the_masked_text_before_publishing(
    answered: Answered, clerk: User, editor: User
) -> None:
    publication = do_propose(clerk, answered(content=PERSONAL, consent_publish=True).message.pk, "")
    adjusted = Draft("小区电梯坏了", "小区电梯坏了两个月，请尽快维修。", publication.reply)
    publication = do_save_draft(editor, publication.pk, adjusted)
    assert publication.text == "小区电梯坏了两个月，请尽快维修。"
    assert do_approve(editor, publication.pk).impact_records.get().edited is True


def test_a_draft_that_still_holds_a_phone_number_is_not_published(
    answered: Answered, clerk: User, editor: User
) -> None:
    publication = do_propose(clerk, answered(consent_publish=True).message.pk, "")
    do_save_draft(editor, publication.pk, Draft("电梯", "请回电13912345678", "已修好"))
    with pytest.raises(PublicationError, match="mobile number"):
        do_approve(editor, publication.pk)


@pytest.mark.parametrize(
    ("title", "text", "reply", "why"),
    [
        ("", "正文", "答复", "title"),
        ("标题", "  ", "答复", "text"),
        ("标题", "正文", "", "reply"),
        ("标" * 201, "正文", "答复", "title"),
        ("标题", "正" * 20_001, "答复", "text"),
    ],
)
def test_an_empty_or_oversized_draft_is_refused_with_the_field_named(
    answered: Answered, clerk: User, editor: User, title: str, text: str, reply: str, why: str
) -> None:
    publication = do_propose(clerk, answered(consent_publish=True).message.pk, "")
    with pytest.raises(PublicationError, match=why):
        do_save_draft(editor, publication.pk, Draft(title, text, reply))


def test_without_consent_only_a_summary_is_published_after_a_second_editor_approves(
    answered: Answered, clerk: User, editor: User, second_editor: User
) -> None:
    publication = do_propose(clerk, answered(content=PERSONAL).message.pk, "")
    assert publication.form == PublicationForm.SUMMARY
    assert publication.text == ""
    summary = Draft("电梯故障两个月未修", "有市民反映小区电梯故障两个月未修。", publication.reply)
    do_save_draft(editor, publication.pk, summary)
    first = do_approve(editor, publication.pk)
    assert first.state == PublicationState.AWAITING_APPROVAL
    with pytest.raises(PublicationError, match="second editor"):
        do_approve(editor, publication.pk)
    published = do_approve(second_editor, publication.pk)
    assert published.state == PublicationState.PUBLISHED
    record = published.impact_records.get()
    assert (record.assessed_by, record.second_approver) == (editor, second_editor)
    assert record.form == PublicationForm.SUMMARY
    assert record.consent is False


def test_a_summary_needs_words_of_its_own(answered: Answered, clerk: User, editor: User) -> None:
    message = answered(content=PERSONAL).message
    publication = do_propose(clerk, message.pk, "")
    assert publication.title == ""
    with pytest.raises(PublicationError, match="title"):
        do_approve(editor, publication.pk)
    nearly_copied = PERSONAL.replace("两个月", "两月").replace("王小明", "王某某")
    do_save_draft(editor, publication.pk, Draft("电梯", pii.mask(nearly_copied), "已修好"))
    with pytest.raises(PublicationError, match="own words"):
        do_approve(editor, publication.pk)
    do_save_draft(editor, publication.pk, Draft(message.title, "有市民反映电梯故障。", "已修好"))
    with pytest.raises(PublicationError, match="own words"):
        do_approve(editor, publication.pk)


def test_editing_a_summary_after_the_first_approval_asks_for_it_again(
    answered: Answered, clerk: User, editor: User, second_editor: User
) -> None:
    publication = do_propose(clerk, answered().message.pk, "")
    do_save_draft(editor, publication.pk, Draft("电梯", "电梯故障。", "已修好"))
    do_approve(editor, publication.pk)
    edited = do_save_draft(second_editor, publication.pk, Draft("电梯", "电梯坏了。", "已修好"))
    assert edited.state == PublicationState.PROPOSED
    assert edited.first_approved_by is None


def test_unpublishing_is_instant_and_recorded(
    answered: Answered, clerk: User, editor: User
) -> None:
    publication = do_approve(
        editor,
        do_propose(clerk, answered(content=PERSONAL, consent_publish=True).message.pk, "").pk,
    )
    with pytest.raises(PublicationError, match="reason"):
        do_unpublish(editor, publication.pk, " ")
    gone = do_unpublish(editor, publication.pk, "当事人要求撤下")
    assert gone.state == PublicationState.UNPUBLISHED
    assert search("publication", "电梯").ids == []
    actions = list(gone.impact_records.values_list("action", flat=True))
    assert actions == [ImpactAction.PUBLISHED, ImpactAction.UNPUBLISHED]


def test_a_declined_or_unpublished_publication_can_be_reopened(
    answered: Answered, clerk: User, editor: User
) -> None:
    publication = do_propose(clerk, answered(consent_publish=True).message.pk, "")
    do_decline(editor, publication.pk, "不够典型")
    assert do_reopen(editor, publication.pk).state == PublicationState.PROPOSED
    with pytest.raises(PublicationError):
        do_unpublish(editor, publication.pk, "原因")


def test_only_editors_approve_edit_and_unpublish(
    answered: Answered, clerk: User, supervisor: User
) -> None:
    publication = do_propose(clerk, answered(consent_publish=True).message.pk, "")
    for user in (clerk, supervisor):
        with pytest.raises(PermissionDenied):
            do_approve(user, publication.pk)
        with pytest.raises(PermissionDenied):
            do_save_draft(user, publication.pk, Draft("a", "b", "c"))
        with pytest.raises(PermissionDenied):
            do_unpublish(user, publication.pk, "x")


def test_two_people_proposing_at_once_leave_one_proposal(
    answered: Answered, clerk: User, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = answered(consent_publish=True).message
    do_propose(clerk, message.pk, "")
    # The race: the second person's check ran before the first proposal was written.
    monkeypatch.setattr(actions, "_check_can_propose", lambda user, message: None)
    with pytest.raises(PublicationError, match="already"):
        do_propose(editor, message.pk, "")
    assert Publication.objects.filter(message=message).count() == 1
