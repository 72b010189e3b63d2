"""Who may see and act on which messages. Every page and API endpoint asks here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from yiwang.accounts.models import ApiClient, User
from yiwang.intake.models import Message


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, or ``PermissionDenied`` for an anonymous one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def message_scope(user: User) -> Q | None:
    """A filter for the messages ``user`` may see, or None when they may see none."""
    if not user.is_active:
        return None
    if user.has_perm("accounts.view_all_messages"):
        return Q()
    if user.has_perm("accounts.view_department_messages") and user.department_id is not None:
        return department_scope(user.department_id)
    return None


def department_scope(department_id: int) -> Q:
    """A department's messages: those it leads (主办) and those it helps with (协办)."""
    from yiwang.casework.models import CoHandling

    helps = CoHandling.objects.filter(message=OuterRef("pk"), department_id=department_id)
    return Q(lead_department_id=department_id) | Q(Exists(helps))


def client_scope(client: ApiClient) -> Q | None:
    if "messages:read" not in client.scopes or client.department_id is None:
        return None
    return department_scope(client.department_id)


def visible_messages(scope: Q | None) -> QuerySet[Message]:
    if scope is None:
        return Message.objects.none()
    return Message.objects.filter(scope)


def check_can_view(user: User, message: Message) -> None:
    scope = message_scope(user)
    if scope is None or not Message.objects.filter(scope, pk=message.pk).exists():
        raise PermissionDenied


def check_can_act(user: User, message: Message) -> None:
    check_can_view(user, message)
    if not user.has_perm("accounts.act_on_messages"):
        raise PermissionDenied


def check_can_export(user: User) -> Q:
    scope = message_scope(user)
    if scope is None or not user.has_perm("accounts.export_messages"):
        raise PermissionDenied
    return scope


def check_can_view_personal_data(user: User, message: Message) -> None:
    check_can_view(user, message)
    if not user.has_perm("accounts.view_personal_data"):
        raise PermissionDenied
