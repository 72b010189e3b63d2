"""Every write of message intake goes through here (web form, API, imports, demo data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from yiwang.accounts.models import ApiClient
from yiwang.channels.models import Campaign
from yiwang.dedupe.actions import do_fingerprint, do_fingerprint_many
from yiwang.intake.models import (
    Attachment,
    Channel,
    EventKind,
    Message,
    MessageEvent,
    attachment_path_for,
)
from yiwang.intake.numbers import next_tracking_number
from yiwang.intake.personal import lookup_hash, seal, unseal
from yiwang.intake.validation import CleanSubmission
from yiwang.lib import clearance
from yiwang.lib.codes import derive_query_code, query_code_digest
from yiwang.lib.text import normalize_for_fingerprint
from yiwang.lib.uploads import CleanFile
from yiwang.orgs.models import ServiceHall
from yiwang.queue import enqueue_with_transaction
from yiwang.search.actions import Source, do_index, do_index_many
from yiwang.search.kinds import MESSAGE

DUPLICATE_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class SubmissionContext:
    """Where a submission came from; none of it is shown to the public."""

    channel: Channel
    submission_token: str
    source: str = ""
    client_ip: str = ""
    api_client: ApiClient | None = None
    submitted_at: dt.datetime | None = None
    # Importers run the follow-up work of a whole batch at the end (``follow_up_batch``).
    suggest_later: bool = False
    # Where it was written: a service hall (its QR code) and a campaign, already checked.
    hall: ServiceHall | None = None
    campaign: Campaign | None = None
    # The message's id in the system it comes from (imports, gateways): with ``source``, unique.
    external_id: str = ""
    # Imported history is not news to the citizen: no receipt for it.
    send_receipt: bool = True


@dataclass(frozen=True)
class SubmissionResult:
    message: Message
    # The query code, when this caller may see it: a new message, or a replay of the same
    # submission token. None for an identical message sent again under a new token.
    query_code: str | None
    created: bool


def _query_key() -> bytes:
    return settings.YIWANG_QUERY_CODE_KEY.encode()


def clearance_day(at: dt.datetime) -> dt.date:
    """The local day by which the desk must handle a message that arrived at ``at``."""
    return clearance.clearance_day(timezone.localtime(at), settings.YIWANG_CLEARANCE_CUTOFF)


def message_fingerprint(clean: CleanSubmission, client_ip: str, external: str = "") -> str:
    """Same words from the same person: the same fingerprint (contact, else address).

    Without a contact, an external id (an imported work order) stands for the person: two
    work orders with the same words are two calls, not one message sent twice.
    """
    who = clean.mobile or clean.email or (f"ext:{external}" if external else f"ip:{client_ip}")
    text = "\x00".join(
        (normalize_for_fingerprint(clean.title), normalize_for_fingerprint(clean.content), who)
    )
    return lookup_hash("fingerprint", text)


def _find_existing(token_hash: str, fingerprint: str, now: dt.datetime) -> SubmissionResult | None:
    """The message this submission repeats: same token, or same words within the window."""
    candidates = Message.objects.filter(
        Q(submission_token_hash=token_hash) | Q(fingerprint=fingerprint)
    ).order_by()
    by_text = None
    for message in candidates:  # at most two rows: one per unique column
        if message.submission_token_hash == token_hash:
            return SubmissionResult(message, None, created=False)
        by_text = message
    if by_text is not None and now - by_text.submitted_at < DUPLICATE_WINDOW:
        return SubmissionResult(by_text, None, created=False)
    if by_text is not None:  # outside the window: the old message gives up its fingerprint
        Message.objects.filter(pk=by_text.pk, fingerprint=fingerprint).update(fingerprint=None)
    return None


def _replayed(result: SubmissionResult, context: SubmissionContext) -> SubmissionResult:
    """A duplicate: record it, and show the query code again only to the same submitter."""
    message = result.message
    MessageEvent.objects.create(
        message=message, at=timezone.now(), kind=EventKind.RESUBMITTED, note=context.channel
    )
    same_token = message.submission_token_hash == lookup_hash(
        "submission-token", context.submission_token
    )
    code = derive_query_code(_query_key(), context.submission_token) if same_token else None
    return SubmissionResult(message, code, created=False)


def _keys(clean: CleanSubmission, context: SubmissionContext) -> _Keys:
    now = context.submitted_at or timezone.now()
    external = f"{context.source}\x00{context.external_id}" if context.external_id else ""
    return _Keys(
        now,
        derive_query_code(_query_key(), context.submission_token),
        lookup_hash("submission-token", context.submission_token),
        message_fingerprint(clean, context.client_ip, external),
    )


def do_submit_message(clean: CleanSubmission, context: SubmissionContext) -> SubmissionResult:
    """Store a validated message exactly once and enqueue its follow-up work after commit.

    Insert first, look later: the unique submission token and fingerprint reject a replay or
    a duplicate (also one racing in from another process), and only then do we look up the
    first message. The common case costs no look-up. A fingerprint still held by a message
    older than the duplicate window is released and the insert tried once more.
    """
    keys = _keys(clean, context)
    try:
        return _create(clean, context, keys)
    except IntegrityError:
        existing = _find_existing(keys.token_hash, keys.fingerprint, keys.now)
        if existing is not None:
            return _replayed(existing, context)
    return _create(clean, context, keys)  # the stale fingerprint has been released


@dataclass(frozen=True)
class _Keys:
    now: dt.datetime
    code: str
    token_hash: str
    fingerprint: str


def _create(clean: CleanSubmission, context: SubmissionContext, keys: _Keys) -> SubmissionResult:
    tracking_number = next_tracking_number(timezone.localdate(keys.now))
    with transaction.atomic():
        message = _insert(clean, context, tracking_number, keys)
    return SubmissionResult(message, keys.code, created=True)


def _new_message(
    clean: CleanSubmission, context: SubmissionContext, tracking_number: str, keys: _Keys
) -> Message:
    """The row of a new message, not saved yet."""
    now = keys.now
    return Message(
        tracking_number=tracking_number,
        query_code_digest=query_code_digest(_query_key(), tracking_number, keys.code),
        submission_token_hash=keys.token_hash,
        fingerprint=keys.fingerprint,
        title=clean.title,
        content=clean.content,
        is_long=clean.is_long,
        nature=clean.nature,
        region=clean.region,
        theme=clean.theme,
        channel=context.channel,
        source=context.source[:128],
        external_id=context.external_id[:64],
        api_client=context.api_client,
        hall=context.hall,
        campaign=context.campaign,
        language=clean.language,
        contact_name=clean.contact_name,
        mobile_encrypted=seal("mobile", clean.mobile),
        mobile_hash=lookup_hash("mobile", clean.mobile),
        email_encrypted=seal("email", clean.email),
        email_hash=lookup_hash("email", clean.email),
        consent_publish=clean.consent_publish,
        submitted_at=now,
        due_day=clearance_day(now),
    )


def _submitted_event(message: Message) -> MessageEvent:
    return MessageEvent(
        message=message,
        at=message.submitted_at,
        kind=EventKind.SUBMITTED,
        to_state=message.state,
        is_public=True,
    )


def _insert(
    clean: CleanSubmission, context: SubmissionContext, tracking_number: str, keys: _Keys
) -> Message:
    message = _new_message(clean, context, tracking_number, keys)
    message.save(force_insert=True)
    _submitted_event(message).save(force_insert=True)
    _store_attachments(message, clean)
    do_index(MESSAGE, message.pk, message.title, message.content)  # same transaction
    do_fingerprint(message.pk, message.title, message.content)  # findable as a duplicate
    from yiwang.classifier.tasks import suggest
    from yiwang.dedupe.tasks import find_duplicates
    from yiwang.intake.tasks import process_new_message

    if context.send_receipt:
        enqueue_with_transaction(process_new_message, message.pk)
    if not context.suggest_later:  # on the worker, off the citizen's request
        enqueue_with_transaction(suggest, message.pk)
        enqueue_with_transaction(find_duplicates, message.pk)
    return message


@dataclass(frozen=True)
class Submission:
    clean: CleanSubmission
    context: SubmissionContext


def do_submit_many(submissions: Sequence[Submission]) -> list[SubmissionResult | None]:
    """Store an importer's batch of new messages in a few statements instead of a few per
    message: the same rows ``do_submit_message`` writes (message, event, search document,
    duplicate sketch), in the caller's transaction, with the tracking numbers it reserved
    (``reserved_for``). Follow-up work is the caller's (``follow_up_batch``); every
    submission must have ``suggest_later`` set and no receipt to send.

    The result for a submission is None where it was not written here, and the caller submits
    it alone with ``do_submit_message``, which knows how to answer it: it repeats a stored
    message (same token or same words) or another submission of the batch, or it carries
    attachments. If another writer races in with the same token, fingerprint or external id,
    the whole batch is left to the caller that way.
    """
    assert transaction.get_connection().in_atomic_block, "call inside the importer's transaction"
    keyed = [(s, _keys(s.clean, s.context)) for s in submissions]
    assert all(s.context.suggest_later and not s.context.send_receipt for s, _k in keyed)
    taken = _taken([k for _s, k in keyed])
    results: list[SubmissionResult | None] = [None] * len(keyed)
    fast: list[int] = []
    for index, (submission, keys) in enumerate(keyed):
        if not ({keys.token_hash, keys.fingerprint} & taken or submission.clean.attachments):
            taken.update((keys.token_hash, keys.fingerprint))
            fast.append(index)
    try:
        with transaction.atomic():
            messages = _insert_many([keyed[i] for i in fast])
    except IntegrityError:
        return [None] * len(keyed)
    for index, message in zip(fast, messages, strict=True):
        results[index] = SubmissionResult(message, keyed[index][1].code, created=True)
    return results


def _taken(keys: Sequence[_Keys]) -> set[str]:
    """Which of these tokens and fingerprints stored messages hold (one query)."""
    tokens = [k.token_hash for k in keys]
    fingerprints = [k.fingerprint for k in keys]
    held = Message.objects.filter(
        Q(submission_token_hash__in=tokens) | Q(fingerprint__in=fingerprints)
    ).values_list("submission_token_hash", "fingerprint")
    return {value for pair in held for value in pair if value}


def _insert_many(keyed: Sequence[tuple[Submission, _Keys]]) -> list[Message]:
    messages = [
        _new_message(s.clean, s.context, next_tracking_number(timezone.localdate(k.now)), k)
        for s, k in keyed
    ]
    Message.objects.bulk_create(messages)
    MessageEvent.objects.bulk_create(_submitted_event(m) for m in messages)
    do_index_many(Source(MESSAGE, m.pk, m.title, m.content) for m in messages)
    do_fingerprint_many((m.pk, m.title, m.content) for m in messages)
    return messages


FOLLOW_UP_BATCH = 500


def follow_up_batch(message_ids: list[int]) -> None:
    """An importer's new messages: suggestions and duplicate checks in batches of 500, on the
    worker, after the import's transaction (what ``do_submit_message`` does one by one)."""
    from yiwang.classifier.tasks import suggest_many
    from yiwang.dedupe.tasks import find_duplicates_many

    for start in range(0, len(message_ids), FOLLOW_UP_BATCH):
        chunk = message_ids[start : start + FOLLOW_UP_BATCH]
        enqueue_with_transaction(suggest_many, chunk)
        enqueue_with_transaction(find_duplicates_many, chunk)


def _store_attachments(message: Message, clean: CleanSubmission) -> None:
    for upload in clean.attachments:
        attachment = Attachment(
            message=message,
            original_name=upload.safe_name[:200],
            content_type=upload.content_type,
            extension=upload.extension,
            size=upload.size,
            sha256=upload.sha256,
        )
        attachment.file.name = do_store_file(upload)
        attachment.save()


def do_store_file(upload: CleanFile) -> str:
    """Store a checked file under its content's hash and return its name: an identical file
    is stored once, and a rolled-back submission leaves at most a file that a later identical
    upload reuses. Messages' attachments and applications' materials both use it."""
    name = attachment_path_for(upload.sha256, upload.extension)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(upload.content))
    return name


def do_process_new_message(message_id: int) -> None:
    """Follow-up work after intake; idempotent, so a re-queued task does no harm."""
    do_send_receipt(message_id)


def do_send_receipt(message_id: int) -> bool:
    """E-mail the citizen their tracking number once (never the query code)."""
    with transaction.atomic():
        # Locked so two workers running a re-queued task cannot both send the receipt.
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.receipt_sent_at is not None or not message.email_encrypted:
            return False
        address = unseal("email", message.email_encrypted)
        with translation.override(message.language):
            send_mail(
                subject=gettext("Your message %(number)s has been received")
                % {"number": message.tracking_number},
                message=render_to_string("intake/receipt_email.txt", {"message": message}),
                from_email=None,
                recipient_list=[address],
            )
        now = timezone.now()
        Message.objects.filter(pk=message.pk).update(receipt_sent_at=now)
        MessageEvent.objects.create(message=message, at=now, kind=EventKind.RECEIPT_SENT)
    return True
