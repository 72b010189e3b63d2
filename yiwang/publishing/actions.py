"""Every write of the publication flow: propose, adjust, approve, publish, unpublish, decline.

Each state change runs under a row lock on the publication, so two editors approving or
unpublishing at once cannot both win (the second sees the state the first left).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.intake.models import EventKind, Message, MessageEvent
from yiwang.lib import neardup, pii
from yiwang.publishing.models import (
    PII_KIND_LABELS,
    ImpactAction,
    ImpactRecord,
    Publication,
    PublicationForm,
    PublicationState,
    search_body,
)
from yiwang.search.actions import do_index, do_remove
from yiwang.search.kinds import PUBLICATION as PUBLICATION_KIND

TITLE_LIMIT = 200
TEXT_LIMIT = 20_000
NOTE_LIMIT = 2_000
# Kinds that never go out, whatever the editor says: the masker is sure of them.
BLOCKING_KINDS = frozenset(pii.KINDS) - {"name", "address"}
EDITABLE = (PublicationState.PROPOSED, PublicationState.AWAITING_APPROVAL)
COPIED_SHARE = 0.6  # a summary sharing this much of the message's wording is a copy


class PublicationError(ValueError):
    """A publication step is refused; the message says why, for the person who tried."""


@dataclass(frozen=True)
class Draft:
    title: str
    text: str
    reply: str


def masked_draft(message: Message) -> Draft:
    """The masker's proposal: title, text and reply with every personal span masked. Without
    the author's consent title and text start empty: the editor writes an anonymised summary
    with a title of its own."""
    if not message.consent_publish:
        return Draft("", "", pii.mask(message.reply_text))
    return Draft(pii.mask(message.title), pii.mask(message.content), pii.mask(message.reply_text))


def remaining_personal_data(draft: Draft) -> dict[str, list[str]]:
    """What the masker still finds in a draft, by field: the kinds, in order."""
    found = {
        field: [span.kind for span in pii.find(getattr(draft, field))]
        for field in ("title", "text", "reply")
    }
    return {field: kinds for field, kinds in found.items() if kinds}


def may_propose(user: User) -> bool:
    """The desk and the editors choose exemplary messages; departments answer them."""
    desk = user.has_perm("accounts.act_on_messages") and user.has_perm("accounts.view_all_messages")
    return desk or is_editor(user)


def has_approved_reply(message: Message) -> bool:
    return message.reply_approved_at is not None and bool(message.reply_text.strip())


def _check_can_propose(user: User, message: Message) -> None:
    if not may_propose(user):
        raise PermissionDenied
    if not has_approved_reply(message):
        raise PublicationError(_("A message can be proposed once its reply is approved."))
    if Publication.objects.filter(message=message).exists():
        raise PublicationError(_("This message has already been proposed."))


def is_editor(user: User) -> bool:
    return user.is_active and user.has_perm("accounts.edit_publications")


def _check_editor(user: User) -> None:
    if not is_editor(user):
        raise PermissionDenied


def do_propose(user: User, message_id: int, note: str) -> Publication:
    """A clerk proposes a replied message as exemplary (精选); the draft is the masker's."""
    message = Message.objects.get(pk=message_id)
    _check_can_propose(user, message)
    note = note.strip()[:NOTE_LIMIT]
    draft = masked_draft(message)
    now = timezone.now()
    try:
        publication = _create_proposal(user, message, note, draft, now)
    except IntegrityError as raced:  # two people proposed it at once: one proposal stands
        raise PublicationError(_("This message has already been proposed.")) from raced
    return publication


def _create_proposal(
    user: User, message: Message, note: str, draft: Draft, now: dt.datetime
) -> Publication:
    with transaction.atomic():
        publication = Publication.objects.create(
            message=message,
            state=PublicationState.PROPOSED,
            form=PublicationForm.MASKED if message.consent_publish else PublicationForm.SUMMARY,
            proposed_by=user,
            proposed_at=now,
            proposal_note=note,
            title=draft.title,
            text=draft.text,
            reply=draft.reply,
        )
        _event(message, user, "propose_publication", note)
    return publication


def _checked_draft(draft: Draft) -> Draft:
    cleaned = Draft(draft.title.strip(), draft.text.strip(), draft.reply.strip())
    if not cleaned.title or len(cleaned.title) > TITLE_LIMIT:
        raise PublicationError(_("The public title must have 1 to 200 characters."))
    if not cleaned.text or len(cleaned.text) > TEXT_LIMIT:
        raise PublicationError(_("The public text must have 1 to 20,000 characters."))
    if not cleaned.reply or len(cleaned.reply) > TEXT_LIMIT:
        raise PublicationError(_("The public reply must have 1 to 20,000 characters."))
    return cleaned


def do_save_draft(user: User, publication_id: int, draft: Draft) -> Publication:
    """An editor adjusts the public title, text (or summary) and reply. Adjusting a summary
    that waits for its second approval sends it back: the approval was for other words."""
    _check_editor(user)
    with transaction.atomic():
        publication = _locked(publication_id)
        if publication.state not in EDITABLE:
            raise PublicationError(_("Only a publication that is not yet public can be edited."))
        cleaned = _checked_draft(draft)
        publication.title, publication.text, publication.reply = (
            cleaned.title,
            cleaned.text,
            cleaned.reply,
        )
        publication.edited_by, publication.edited_at = user, timezone.now()
        publication.state = PublicationState.PROPOSED
        publication.first_approved_by = publication.first_approved_at = None
        publication.save()
    return publication


def _locked(publication_id: int) -> Publication:
    return Publication.objects.select_for_update().select_related("message").get(pk=publication_id)


def _check_publishable(publication: Publication) -> None:
    draft = _checked_draft(Draft(publication.title, publication.text, publication.reply))
    left = {kind for kinds in remaining_personal_data(draft).values() for kind in kinds}
    if blocking := sorted(left & BLOCKING_KINDS):
        raise PublicationError(
            _("The public text still contains personal information (%(kinds)s): mask it first.")
            % {"kinds": ", ".join(str(PII_KIND_LABELS[kind]) for kind in blocking)}
        )
    message = publication.message
    if publication.form == PublicationForm.MASKED and not message.consent_publish:
        raise PublicationError(_("The author did not agree to publication: publish a summary."))
    if publication.form == PublicationForm.SUMMARY and _copied(publication, message):
        raise PublicationError(
            _("A summary must be written in the editor's own words, not copied from the message.")
        )


def _copied(publication: Publication, message: Message) -> bool:
    """The summary's title is the author's, or most of its text is the author's wording (the
    share of its 3-character pieces found in the message or in its masked version, as
    near-duplicates are measured)."""
    if publication.title in (message.title, pii.mask(message.title)):
        return True
    summary = neardup.fingerprint("", publication.text).pieces
    if not len(summary):
        return False
    originals = (message.content, pii.mask(message.content))  # copied as is, or the masked draft
    return any(
        neardup.resemblance(summary, neardup.fingerprint("", original).pieces) >= COPIED_SHARE
        for original in originals
    )


def do_approve(user: User, publication_id: int) -> Publication:
    """Publish a masked message the author agreed to publish; for a summary, the first editor's
    approval waits for a second editor, whose approval publishes it."""
    _check_editor(user)
    with transaction.atomic():
        publication = _locked(publication_id)
        if publication.state not in EDITABLE:
            raise PublicationError(_("This publication is not waiting for an approval."))
        _check_publishable(publication)
        if publication.form == PublicationForm.SUMMARY:
            if publication.state == PublicationState.PROPOSED:
                publication.state = PublicationState.AWAITING_APPROVAL
                publication.first_approved_by, publication.first_approved_at = user, timezone.now()
                publication.save()
                return publication
            if publication.first_approved_by_id == user.pk:
                raise PublicationError(_("A second editor must approve this summary."))
        _publish(user, publication)
    return publication


def _publish(user: User, publication: Publication) -> None:
    message = publication.message
    now = timezone.now()
    publication.state = PublicationState.PUBLISHED
    publication.published_by, publication.published_at = user, now
    publication.region_id, publication.theme_id = message.region_id, message.theme_id
    publication.category_id, publication.department_id = (
        message.category_id,
        message.lead_department_id,
    )
    publication.closed_by = publication.closed_at = None
    publication.closed_reason = ""
    publication.save()
    if publication.form == PublicationForm.SUMMARY and publication.first_approved_by:
        _record_impact(publication, ImpactAction.PUBLISHED, publication.first_approved_by, user)
    else:
        _record_impact(publication, ImpactAction.PUBLISHED, user)
    body = search_body(publication.text, publication.reply)
    do_index(PUBLICATION_KIND, publication.pk, publication.title, body)
    _event(message, user, "publish", "")


def _record_impact(
    publication: Publication,
    action: ImpactAction,
    by: User,
    second: User | None = None,
    note: str = "",
) -> ImpactRecord:
    """What was masked: the kinds found in the original message and reply (counts only)."""
    message = publication.message
    originals = (message.title, message.content, message.reply_text)
    masked = Counter(span.kind for text in originals for span in pii.find(text))
    return ImpactRecord.objects.create(
        publication=publication,
        action=action,
        assessed_by=by,
        second_approver=second,
        assessed_at=timezone.now(),
        consent=message.consent_publish,
        form=publication.form,
        masked=dict(sorted(masked.items())),
        edited=publication.edited_by_id is not None,
        note=note,
    )


def do_unpublish(user: User, publication_id: int, reason: str) -> Publication:
    """Take a publication off the board at once (the public page answers 410 from now on)."""
    _check_editor(user)
    reason = reason.strip()[:NOTE_LIMIT]
    if not reason:
        raise PublicationError(_("Please give the reason for unpublishing."))
    with transaction.atomic():
        publication = _locked(publication_id)
        if publication.state != PublicationState.PUBLISHED:
            raise PublicationError(_("Only a published message can be unpublished."))
        publication.state = PublicationState.UNPUBLISHED
        publication.closed_by, publication.closed_at = user, timezone.now()
        publication.closed_reason = reason
        publication.save()
        _record_impact(publication, ImpactAction.UNPUBLISHED, user, note=reason)
        do_remove(PUBLICATION_KIND, publication.pk)
        _event(publication.message, user, "unpublish", reason)
    return publication


def do_decline(user: User, publication_id: int, reason: str) -> Publication:
    """An editor declines a proposal (it stays on record, with the reason)."""
    _check_editor(user)
    with transaction.atomic():
        publication = _locked(publication_id)
        if publication.state not in EDITABLE:
            raise PublicationError(_("Only a proposal can be declined."))
        publication.state = PublicationState.DECLINED
        publication.closed_by, publication.closed_at = user, timezone.now()
        publication.closed_reason = reason.strip()[:NOTE_LIMIT]
        publication.save()
        _event(publication.message, user, "decline_publication", publication.closed_reason)
    return publication


def do_reopen(user: User, publication_id: int) -> Publication:
    """Bring an unpublished or declined publication back to the editors' queue."""
    _check_editor(user)
    with transaction.atomic():
        publication = _locked(publication_id)
        if publication.state not in (PublicationState.UNPUBLISHED, PublicationState.DECLINED):
            raise PublicationError(_("Only an unpublished or declined publication can reopen."))
        publication.state = PublicationState.PROPOSED
        publication.first_approved_by = publication.first_approved_at = None
        publication.save()
    return publication


def _event(message: Message, user: User, action: str, note: str) -> None:
    MessageEvent.objects.create(
        message=message,
        at=timezone.now(),
        actor=user,
        kind=EventKind.PUBLICATION,
        action=action,
        note=note,
    )
