"""The message state machine: every state × action × persona, the moves' effects, the races."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied

from tests.concurrency import run_together
from yiwang.accounts.models import User
from yiwang.casework.actions import (
    check_move,
    do_accept,
    do_approve_reply,
    do_close,
    do_decide_extension,
    do_forward,
    do_merge,
    do_not_accept,
    do_reopen,
    do_reply,
    do_request_extension,
    do_return,
    do_send_back,
    do_triage,
)
from yiwang.casework.machine import Action, IllegalMove, allowed_actions
from yiwang.casework.models import CoHandling, ExtensionRequest, Merge
from yiwang.intake.models import Message, MessageEvent, MessageState
from yiwang.intake.queries import public_view
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category

# Written from the issue, independently of yiwang.casework.machine: who may do what, from where.
DESK, DEPT, SUP = "desk", "department", "supervisor"
EXPECTED: dict[str, tuple[set[str], str]] = {
    "triage": ({"new", "triaged", "returned"}, DESK),
    "forward": ({"triaged", "returned"}, DESK),
    "accept": ({"forwarded"}, DEPT),
    "return": ({"forwarded", "accepted"}, DEPT),
    "reply": ({"accepted"}, DEPT),
    "approve_reply": ({"replied"}, SUP),
    "send_back": ({"replied"}, SUP),
    "close": ({"replied", "answered"}, DESK),
    "request_extension": ({"accepted"}, DEPT),
    "decide_extension": ({"accepted"}, SUP),
    "not_accept": ({"new", "triaged", "returned"}, DESK),
    "answer": ({"new", "triaged"}, DESK),
    "merge": ({"new", "triaged", "returned"}, DESK),
    "reopen": ({"closed", "not_accepted", "answered", "merged"}, SUP),
    "rehandle": ({"replied", "closed"}, SUP),  # 重办 by the same department
}
PLAYS = {
    "clerk": {DESK},
    "supervisor": {DESK, SUP},
    "dept_officer": {DEPT},
    "dept_head": {DEPT},
    "other_dept_officer": set(),
}


@pytest.fixture
def people(
    clerk: User,
    supervisor: User,
    dept_officer: User,
    dept_head: User,
    other_dept_officer: User,
) -> dict[str, User]:
    return {
        "clerk": clerk,
        "supervisor": supervisor,
        "dept_officer": dept_officer,
        "dept_head": dept_head,
        "other_dept_officer": other_dept_officer,
    }


@pytest.mark.django_db
def test_every_state_action_and_persona_is_allowed_exactly_as_the_issue_says(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    assert set(EXPECTED) == {a.value for a in Action}
    wrong = []
    for state in MessageState.values:
        message.state = state
        for action, (sources, actor) in EXPECTED.items():
            for name, user in people.items():
                expected = state in sources and actor in PLAYS[name]
                try:
                    check_move(user, message, Action(action), None)
                    allowed = True
                except (IllegalMove, PermissionDenied):
                    allowed = False
                if allowed != expected:
                    wrong.append((state, action, name, allowed))
    assert wrong == []


@pytest.mark.django_db
def test_the_buttons_offered_match_the_moves_allowed(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    message = message_for(
        "housing",
    )
    message.state = MessageState.ACCEPTED
    assert allowed_actions(people["dept_officer"], message) == [
        Action.RETURN,
        Action.REPLY,
        Action.REQUEST_EXTENSION,
    ]
    assert allowed_actions(people["other_dept_officer"], message) == []


@pytest.mark.django_db
def test_a_message_travels_from_triage_to_closing_with_every_move_recorded(
    people: dict[str, User],
    message_for: Callable[..., Message],
    taxonomy: dict[str, Category],
    departments: dict[str, Department],
) -> None:
    message = message_for("housing")
    clerk, officer = people["clerk"], people["dept_officer"]
    triaged = do_triage(clerk, message.pk, taxonomy["repairs"].pk, expected_state="new")
    assert triaged.category == taxonomy["repairs"]
    assert triaged.lead_department == departments["xihu_housing"]  # routed: district first
    do_forward(
        clerk,
        message.pk,
        departments["housing"].pk,
        [departments["transport"].pk, departments["housing"].pk],
        note="请于5个工作日内答复",
    )
    assert list(CoHandling.objects.values_list("department__short_code", flat=True)) == ["杭交"]
    do_accept(officer, message.pk)
    do_reply(officer, message.pk, "已安排维修，本周内完成。")
    assert public_view(Message.objects.get(pk=message.pk))["reply"] is None  # a draft yet
    with pytest.raises(IllegalMove):
        do_close(clerk, message.pk)  # not before the supervisor approves
    do_approve_reply(people["supervisor"], message.pk)
    closed = do_close(clerk, message.pk)
    assert closed.state == "closed"
    moves = list(
        MessageEvent.objects.filter(message=message, kind="case_action").values_list(
            "action", "from_state", "to_state", "actor__username"
        )
    )
    assert moves == [
        ("triage", "new", "triaged", "clerk"),
        ("forward", "triaged", "forwarded", "clerk"),
        ("accept", "forwarded", "accepted", "dept_officer"),
        ("reply", "accepted", "replied", "dept_officer"),
        ("approve_reply", "replied", "replied", "supervisor"),
        ("close", "replied", "closed", "clerk"),
    ]
    view = public_view(closed)
    assert view["reply"] == "已安排维修，本周内完成。"
    notes = [entry["note"] for entry in view["history"]]
    assert "请于5个工作日内答复" not in notes  # the desk's request to the department is internal


@pytest.mark.django_db
def test_an_illegal_move_raises_and_changes_nothing(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    with pytest.raises(IllegalMove) as raised:
        do_accept(people["dept_officer"], message.pk)
    assert raised.value.code == "illegal_move"
    message.refresh_from_db()
    assert message.state == "new"
    assert not MessageEvent.objects.filter(kind="case_action").exists()


@pytest.mark.django_db
def test_a_stale_form_is_refused_instead_of_overwriting(
    people: dict[str, User], message_for: Callable[..., Message], taxonomy: dict[str, Category]
) -> None:
    message = message_for("housing")
    do_triage(people["clerk"], message.pk, taxonomy["repairs"].pk)
    with pytest.raises(IllegalMove) as raised:
        do_triage(people["supervisor"], message.pk, taxonomy["buses"].pk, expected_state="new")
    assert raised.value.code == "stale"
    message.refresh_from_db()
    assert message.category == taxonomy["repairs"]


@pytest.mark.django_db
def test_forwarding_to_an_inactive_or_unknown_department_is_refused(
    people: dict[str, User],
    message_for: Callable[..., Message],
    departments: dict[str, Department],
) -> None:
    message = message_for(
        "housing",
    )
    Message.objects.filter(pk=message.pk).update(state="triaged")
    Department.objects.filter(pk=departments["transport"].pk).update(is_active=False)
    for lead, co in (
        (departments["transport"].pk, []),
        (999_999, []),
        (departments["housing"].pk, [departments["transport"].pk]),
    ):
        with pytest.raises(IllegalMove) as raised:
            do_forward(people["clerk"], message.pk, lead, co)
        assert raised.value.code == "invalid"
    message.refresh_from_db()
    assert message.state == "triaged"


@pytest.mark.django_db
def test_triage_takes_only_a_leaf_of_the_active_taxonomy(
    people: dict[str, User], message_for: Callable[..., Message], taxonomy: dict[str, Category]
) -> None:
    message = message_for("housing")
    with pytest.raises(IllegalMove):
        do_triage(people["clerk"], message.pk, taxonomy["housing"].pk)  # a major category


@pytest.mark.django_db
def test_a_department_returns_a_message_with_a_reason_the_citizen_does_not_see(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="forwarded")
    with pytest.raises(IllegalMove):
        do_return(people["dept_officer"], message.pk, "   ")
    returned = do_return(people["dept_officer"], message.pk, "不属于本局职责，应由交通部门办理")
    assert returned.state == "returned"
    assert all("交通部门" not in e["note"] for e in public_view(returned)["history"])


@pytest.mark.django_db
def test_another_departments_officer_cannot_sign_for_the_message(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="forwarded")
    with pytest.raises(PermissionDenied):
        do_accept(people["other_dept_officer"], message.pk)


@pytest.mark.django_db
def test_not_accepting_tells_the_citizen_the_proper_channel(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    with pytest.raises(IllegalMove):
        do_not_accept(people["clerk"], message.pk, "bored")
    declined = do_not_accept(people["clerk"], message.pk, "emergency")
    assert declined.state == "not_accepted"
    assert any("110" in e["note"] for e in public_view(declined)["history"])


@pytest.mark.django_db
def test_an_extension_is_asked_once_and_decided_by_a_supervisor(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="accepted")
    officer, supervisor = people["dept_officer"], people["supervisor"]
    with pytest.raises(IllegalMove):
        do_request_extension(officer, message.pk, 31, "需要现场勘查")
    do_request_extension(officer, message.pk, 5, "需要现场勘查")
    with pytest.raises(IllegalMove):
        do_request_extension(officer, message.pk, 3, "再延")
    with pytest.raises(PermissionDenied):
        do_decide_extension(people["clerk"], message.pk, approve=True)
    decided = do_decide_extension(supervisor, message.pk, approve=True)
    assert decided.state == "accepted"
    assert ExtensionRequest.objects.get().status == "approved"


@pytest.mark.django_db
def test_a_merged_message_can_be_reopened_by_a_supervisor(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    first = message_for("housing")
    second = message_for("housing", mobile="13900139000")
    with pytest.raises(IllegalMove):
        do_merge(people["clerk"], second.pk, second.tracking_number)
    merged = do_merge(people["clerk"], second.pk, f" {first.tracking_number.lower()} ")
    assert merged.state == "merged"
    assert Merge.objects.get().into == first
    with pytest.raises(PermissionDenied):
        do_reopen(people["clerk"], second.pk, "误并")
    reopened = do_reopen(people["supervisor"], second.pk, "误并")
    assert reopened.state == "new"
    assert not Merge.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_clerks_cannot_both_forward_the_same_message(
    people: dict[str, User],
    message_for: Callable[..., Message],
    departments: dict[str, Department],
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="triaged")
    targets = [departments["housing"].pk, departments["transport"].pk]
    clerks = [people["clerk"], people["supervisor"]]
    results = run_together(
        2, lambda i: do_forward(clerks[i], message.pk, targets[i]), (IllegalMove,)
    )
    forwarded = [r for r in results if isinstance(r, Message)]
    refused = [r for r in results if isinstance(r, IllegalMove)]
    assert len(forwarded) == 1
    assert len(refused) == 1
    assert refused[0].code == "illegal_move"
    assert MessageEvent.objects.filter(message=message, action="forward").count() == 1
    message.refresh_from_db()
    assert message.lead_department == forwarded[0].lead_department


@pytest.mark.django_db
def test_a_supervisor_sends_a_draft_reply_back_for_revision(
    people: dict[str, User], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(state="accepted")
    officer, supervisor = people["dept_officer"], people["supervisor"]
    do_reply(officer, message.pk, "已收悉。")
    with pytest.raises(IllegalMove):
        do_send_back(supervisor, message.pk, "")
    back = do_send_back(supervisor, message.pk, "答复过于简单，请说明处理结果和时限")
    assert back.state == "accepted"
    assert public_view(back)["reply"] is None
    do_reply(officer, message.pk, "经现场核查，已于本周完成维修。")
    approved = do_approve_reply(supervisor, message.pk)
    assert public_view(approved)["reply"] == "经现场核查，已于本周完成维修。"
    labels = [entry["label"] for entry in public_view(approved)["history"]]
    assert labels[-1] == "Replied" or labels[-1] == "已答复"
    with pytest.raises(IllegalMove):
        do_approve_reply(supervisor, message.pk)  # once is enough
