"""The editors' pages: the queue, the side-by-side editor, and the desk's propose button."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.intake.actions import SubmissionResult
from yiwang.publishing.actions import do_approve, do_propose
from yiwang.publishing.models import Publication, PublicationState

pytestmark = pytest.mark.django_db

PERSONAL = "我叫王小明，电话13912345678，住在阳光小区3栋2单元501室，小区电梯坏了两个月。"
SignedIn = Callable[[User], Client]


@pytest.fixture
def proposed(answered: Callable[..., SubmissionResult], clerk: User) -> Callable[..., Publication]:
    count = iter(range(1000))

    def _proposed(**overrides: Any) -> Publication:
        content = f"{PERSONAL}第{next(count)}次反映。"
        message = answered(**{"content": content, "consent_publish": True, **overrides}).message
        return do_propose(clerk, message.pk, "回复及时")

    return _proposed


def editor_url(publication: Publication, step: str = "") -> str:
    if step == "save":
        return reverse("publishing_staff:save", args=[publication.pk])
    if step:
        return reverse("publishing_staff:step", args=[publication.pk, step])
    return reverse("publishing_staff:editor", args=[publication.pk])


def test_the_desk_proposes_a_replied_message_from_its_page(
    answered: Callable[..., SubmissionResult], clerk: User, signed_in: SignedIn
) -> None:
    message = answered(consent_publish=True).message
    client = signed_in(clerk)
    page = client.get(reverse("staff:message", args=[message.tracking_number]))
    assert "Propose for publication" in page.content.decode() or "提议公开" in page.content.decode()
    url = reverse("publishing_staff:propose", args=[message.tracking_number])
    assert client.post(url, {"note": "典型"}).status_code == 302
    assert Publication.objects.get(message=message).proposal_note == "典型"
    again = client.post(url, {"note": "典型"})
    assert again.status_code == 409
    assert Publication.objects.filter(message=message).count() == 1


def test_a_message_without_an_approved_reply_cannot_be_proposed_from_its_page(
    submit: Callable[..., SubmissionResult], clerk: User, signed_in: SignedIn
) -> None:
    message = submit().message
    url = reverse("publishing_staff:propose", args=[message.tracking_number])
    assert signed_in(clerk).post(url).status_code == 409
    assert not Publication.objects.exists()


def test_the_editor_sees_every_personal_span_marked_in_the_original_and_none_in_the_public_text(
    proposed: Callable[..., Publication], editor: User, signed_in: SignedIn
) -> None:
    publication = proposed()
    html = signed_in(editor).get(editor_url(publication)).content.decode()
    original = html.split('id="original-text"')[1].split("</p>")[0]
    assert '<mark class="pii pii-mobile"' in original
    assert '<mark class="pii pii-name"' in original
    assert '<mark class="pii pii-address"' in original
    preview = html.split('id="public-preview"')[1].split("</div>")[0]
    assert "<mark" not in preview
    assert "139****5678" in preview


def test_the_queue_lists_proposals_in_a_constant_number_of_queries(
    proposed: Callable[..., Publication],
    editor: User,
    signed_in: SignedIn,
    django_assert_max_num_queries: Any,
) -> None:
    client = signed_in(editor)
    proposed()
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("publishing_staff:queue"))
    for _ in range(3):
        proposed()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("publishing_staff:queue"))
    assert page.content.decode().count("/staff/publishing/") >= 4


def test_an_editor_saves_a_draft_and_an_empty_title_is_refused_with_the_draft_kept(
    proposed: Callable[..., Publication], editor: User, signed_in: SignedIn
) -> None:
    publication = proposed()
    client = signed_in(editor)
    bad = client.post(
        editor_url(publication, "save"), {"title": "", "text": "新正文", "reply": "答"}
    )
    assert bad.status_code == 400
    assert "新正文" in bad.content.decode()
    good = client.post(
        editor_url(publication, "save"), {"title": "电梯", "text": "新正文", "reply": "答"}
    )
    assert good.status_code == 302
    publication.refresh_from_db()
    assert publication.text == "新正文"


def test_publishing_from_the_page_then_unpublishing_needs_a_reason(
    proposed: Callable[..., Publication], editor: User, signed_in: SignedIn
) -> None:
    publication = proposed()
    client = signed_in(editor)
    assert client.post(editor_url(publication, "approve")).status_code == 302
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED
    refused = client.post(editor_url(publication, "unpublish"), {"reason": ""})
    assert refused.status_code == 409
    assert client.post(editor_url(publication, "unpublish"), {"reason": "撤下"}).status_code == 302
    publication.refresh_from_db()
    assert publication.state == PublicationState.UNPUBLISHED


def test_a_summary_is_published_by_the_second_of_two_editors_through_the_pages(
    proposed: Callable[..., Publication],
    editor: User,
    second_editor: User,
    signed_in: SignedIn,
) -> None:
    publication = proposed(consent_publish=False)
    first = signed_in(editor)
    summary = {"title": "电梯故障", "text": "有市民反映电梯故障。", "reply": "已修好。"}
    first.post(editor_url(publication, "save"), summary)
    first.post(editor_url(publication, "approve"))
    assert first.post(editor_url(publication, "approve")).status_code == 409
    signed_in(second_editor).post(editor_url(publication, "approve"))
    publication.refresh_from_db()
    assert publication.state == PublicationState.PUBLISHED


def test_people_who_are_not_editors_cannot_open_the_editor(
    proposed: Callable[..., Publication], clerk: User, dept_officer: User, signed_in: SignedIn
) -> None:
    publication = proposed()
    for user in (clerk, dept_officer):
        client = signed_in(user)
        assert client.get(reverse("publishing_staff:queue")).status_code == 403
        assert client.get(editor_url(publication)).status_code == 403
        assert client.post(editor_url(publication, "approve")).status_code == 403


def test_an_unknown_step_is_not_found(
    proposed: Callable[..., Publication], editor: User, signed_in: SignedIn
) -> None:
    assert signed_in(editor).post(editor_url(proposed(), "delete")).status_code == 404


def test_an_already_published_message_cannot_be_approved_again(
    proposed: Callable[..., Publication], editor: User, signed_in: SignedIn
) -> None:
    publication = do_approve(editor, proposed().pk)
    assert signed_in(editor).post(editor_url(publication, "approve")).status_code == 409


def test_auditors_read_impact_records_in_the_admin_and_nobody_deletes_them_there(
    proposed: Callable[..., Publication], editor: User, client: Client
) -> None:
    from yiwang.accounts.actions import do_create_staff

    publication = do_approve(editor, proposed().pk)
    record = publication.impact_records.get()
    auditor = do_create_staff("auditor", "a-long-password-2026", roles=["administrator"])
    client.force_login(auditor)
    listing = client.get("/en/admin/publishing/impactrecord/")
    assert listing.status_code == 200
    assert str(editor) in listing.content.decode()
    delete = client.post(f"/en/admin/publishing/impactrecord/{record.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert publication.impact_records.count() == 1
