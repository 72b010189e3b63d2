"""Writes of the accounts app: roles, staff accounts, personal-data access records."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from yiwang.accounts.models import PersonalDataAccess, User
from yiwang.accounts.roles import ROLES, ROLES_BY_CODE
from yiwang.applications.models import Application
from yiwang.intake.models import Message


def _permission(dotted: str, using: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)


def do_sync_roles(using: str = "default") -> None:
    """Make each role's group hold exactly the permissions of the role table."""
    with transaction.atomic(using=using):
        for role in ROLES:
            group, _created = Group.objects.using(using).get_or_create(name=role.code)
            group.permissions.set([_permission(p, using) for p in role.permissions])


def do_create_staff(
    username: str,
    password: str,
    *,
    roles: list[str],
    department_id: int | None = None,
    display_name: str = "",
) -> User:
    unknown = [r for r in roles if r not in ROLES_BY_CODE]
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(unknown)}")
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            department_id=department_id,
            display_name=display_name,
            is_staff=any(ROLES_BY_CODE[role].uses_admin for role in roles),
        )
        user.groups.set(Group.objects.filter(name__in=roles))
    return user


def do_record_personal_data_access(
    user: User,
    subject: Message | Application,
    fields: list[str],
    reason: str,
    ip_address: str | None,
) -> PersonalDataAccess:
    """Record one look at unmasked personal data: a message's author or an applicant."""
    link: dict[str, Message | Application] = (
        {"application": subject} if isinstance(subject, Application) else {"message": subject}
    )
    return PersonalDataAccess.objects.create(
        user=user, fields=fields, reason=reason[:200], ip_address=ip_address, **link
    )
