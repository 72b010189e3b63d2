"""The message page's action forms: one POST endpoint per move, all through casework.actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.access import check_can_view
from yiwang.accounts.models import User
from yiwang.casework import actions, feedback
from yiwang.casework.machine import Action, IllegalMove, allowed_actions
from yiwang.classifier.queries import department_suggestions
from yiwang.intake.models import Message
from yiwang.orgs.models import Department
from yiwang.taxonomy.models import Category
from yiwang.taxonomy.routing import route_lead_department

Handler = Callable[[User, Message, QueryDict, str | None], Message]


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise IllegalMove("invalid", _("Please fill in every field of the form.")) from exc


HANDLERS: dict[Action, Handler] = {
    Action.TRIAGE: lambda u, m, p, s: actions.do_triage(
        u, m.pk, _int(p.get("category")), expected_state=s
    ),
    Action.FORWARD: lambda u, m, p, s: actions.do_forward(
        u,
        m.pk,
        _int(p.get("lead_department")),
        [_int(v) for v in p.getlist("co_departments")],
        note=p.get("note", ""),
        expected_state=s,
    ),
    Action.ACCEPT: lambda u, m, p, s: actions.do_accept(u, m.pk, expected_state=s),
    Action.RETURN: lambda u, m, p, s: actions.do_return(
        u, m.pk, p.get("reason", ""), expected_state=s
    ),
    Action.REPLY: lambda u, m, p, s: actions.do_reply(u, m.pk, p.get("text", ""), expected_state=s),
    Action.APPROVE_REPLY: lambda u, m, p, s: actions.do_approve_reply(u, m.pk, expected_state=s),
    Action.SEND_BACK: lambda u, m, p, s: actions.do_send_back(
        u, m.pk, p.get("reason", ""), expected_state=s
    ),
    Action.CLOSE: lambda u, m, p, s: actions.do_close(u, m.pk, expected_state=s),
    Action.REQUEST_EXTENSION: lambda u, m, p, s: actions.do_request_extension(
        u, m.pk, _int(p.get("days")), p.get("reason", ""), expected_state=s
    ),
    Action.DECIDE_EXTENSION: lambda u, m, p, s: actions.do_decide_extension(
        u, m.pk, p.get("decision") == "approve", p.get("note", ""), expected_state=s
    ),
    Action.NOT_ACCEPT: lambda u, m, p, s: actions.do_not_accept(
        u, m.pk, p.get("reason", ""), p.get("note", ""), expected_state=s
    ),
    Action.ANSWER: lambda u, m, p, s: actions.do_answer(
        u, m.pk, p.get("text", ""), expected_state=s
    ),
    Action.MERGE: lambda u, m, p, s: actions.do_merge(u, m.pk, p.get("into", ""), expected_state=s),
    Action.REOPEN: lambda u, m, p, s: actions.do_reopen(
        u, m.pk, p.get("reason", ""), expected_state=s
    ),
    Action.REHANDLE: lambda u, m, p, s: feedback.do_order_rehandling(
        u, m.pk, p.get("reason", ""), expected_state=s
    ),
}


def move_context(user: User, message: Message) -> dict[str, Any]:
    """What the action forms on the message page need."""
    moves = allowed_actions(user, message)
    context: dict[str, Any] = {"moves": [m.value for m in moves]}
    if Action.TRIAGE in moves:
        context["categories"] = Category.objects.filter(
            version__is_active=True, is_leaf=True
        ).select_related("parent")
    if Action.FORWARD in moves:
        context["departments"] = Department.objects.filter(is_active=True)
        routed = message.lead_department or (
            route_lead_department(message.category, message.region) if message.category else None
        )
        context["suggested_department"] = routed.pk if routed else None
        context["machine_departments"] = department_suggestions(message)
    if Action.NOT_ACCEPT in moves:
        context["not_accepted_reasons"] = list(actions.NOT_ACCEPTED_REASONS.items())
    return context


@login_required
@require_POST
def message_move(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    from yiwang.staff.views import render_message_page

    user = request.user
    assert isinstance(user, User)
    message = get_object_or_404(Message, tracking_number=tracking_number)
    check_can_view(user, message)
    try:
        handler = HANDLERS[Action(action)]
    except ValueError:
        return HttpResponse(status=404)
    expected = request.POST.get("expected_state") or None
    try:
        handler(user, message, request.POST, expected)
    except IllegalMove as exc:
        status = 400 if exc.code == "invalid" else 409
        message.refresh_from_db()
        return render_message_page(request, message, error=exc.message, status=status)
    return redirect("staff:message", tracking_number=message.tracking_number)


BULK_ACTIONS = (Action.TRIAGE, Action.FORWARD)
MAX_BULK = 200


def bulk_context(user: User) -> dict[str, Any]:
    """The bulk form under the list: for the desk only."""
    if not user.has_perm("accounts.view_all_messages") or not user.has_perm(
        "accounts.act_on_messages"
    ):
        return {}
    return {
        "bulk": True,
        "categories": Category.objects.filter(version__is_active=True, is_leaf=True).select_related(
            "parent"
        ),
        "departments": Department.objects.filter(is_active=True),
    }


@login_required
@require_POST
def bulk_move(request: HttpRequest) -> HttpResponse:
    """Apply one move to many messages; each goes through the machine on its own."""
    user = request.user
    assert isinstance(user, User)
    action = request.POST.get("action", "")
    numbers = request.POST.getlist("selected")[:MAX_BULK]
    if action not in {a.value for a in BULK_ACTIONS} or not numbers:
        messages.error(request, _("Choose messages and an action."))
        return redirect("staff:messages")
    handler = HANDLERS[Action(action)]
    done, refused = 0, []
    for message in Message.objects.filter(tracking_number__in=numbers):
        try:
            check_can_view(user, message)
            handler(user, message, request.POST, None)
            done += 1
        except (IllegalMove, PermissionDenied):
            refused.append(message.tracking_number)
    messages.info(request, _("%(done)d moved.") % {"done": done})
    if refused:
        messages.warning(request, _("Not moved: %(numbers)s") % {"numbers": ", ".join(refused)})
    back = request.POST.get("next", "")
    safe = back.startswith("/") and url_has_allowed_host_and_scheme(back, {request.get_host()})
    return redirect(back if safe else "staff:messages")
