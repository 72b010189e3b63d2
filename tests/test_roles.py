"""Roles are groups whose permissions always equal the role table in yiwang.accounts.roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from yiwang.accounts.actions import do_create_staff, do_sync_roles
from yiwang.accounts.models import User
from yiwang.accounts.roles import ROLES, ROLES_BY_CODE, RoleDefinition
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db


def group_permissions(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_role_codes_are_unique() -> None:
    assert len(ROLES_BY_CODE) == len(ROLES)


@pytest.mark.parametrize("role", ROLES, ids=[role.code for role in ROLES])
def test_after_migrate_each_role_is_a_group_with_exactly_its_permissions(
    role: RoleDefinition,
) -> None:
    assert group_permissions(role.code) == set(role.permissions)


def test_after_migrate_every_role_has_its_group() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.code for role in ROLES} <= names


def test_the_citizen_role_carries_no_permissions() -> None:
    assert group_permissions("citizen") == set()


def test_syncing_puts_a_tampered_group_back_to_the_table() -> None:
    group = Group.objects.get(name="dept_officer")
    group.permissions.remove(Permission.objects.get(codename="act_on_messages"))
    group.permissions.add(Permission.objects.get(codename="view_personal_data"))
    do_sync_roles()
    assert group_permissions("dept_officer") == set(ROLES_BY_CODE["dept_officer"].permissions)


def test_syncing_recreates_a_deleted_group() -> None:
    Group.objects.filter(name="desk_supervisor").delete()
    do_sync_roles()
    assert group_permissions("desk_supervisor") == set(ROLES_BY_CODE["desk_supervisor"].permissions)


def test_syncing_twice_changes_nothing() -> None:
    do_sync_roles()
    before = {role.code: group_permissions(role.code) for role in ROLES}
    do_sync_roles()
    assert {role.code: group_permissions(role.code) for role in ROLES} == before


def test_a_department_officer_holds_exactly_the_permissions_of_their_role(
    dept_officer: User,
) -> None:
    assert dept_officer.get_all_permissions() == set(ROLES_BY_CODE["dept_officer"].permissions)


def test_a_staff_member_with_two_roles_holds_both_roles_permissions(
    departments: dict[str, Department],
) -> None:
    user = do_create_staff(
        "editor_clerk",
        "a-long-test-password-2026",
        roles=["desk_clerk", "editor"],
        department_id=departments["office"].pk,
    )
    expected = set(ROLES_BY_CODE["desk_clerk"].permissions) | set(
        ROLES_BY_CODE["editor"].permissions
    )
    assert user.get_all_permissions() == expected
    assert set(user.groups.values_list("name", flat=True)) == {"desk_clerk", "editor"}


def test_creating_staff_with_an_unknown_role_is_refused_and_creates_nobody() -> None:
    with pytest.raises(ValueError, match="superuser"):
        do_create_staff("mallory", "a-long-test-password-2026", roles=["desk_clerk", "superuser"])
    assert not User.objects.filter(username="mallory").exists()


def test_a_new_staff_member_is_never_a_superuser(departments: dict[str, Department]) -> None:
    user = do_create_staff(
        "admin", "a-long-test-password-2026", roles=["administrator"], department_id=None
    )
    assert not user.is_superuser
    assert user.check_password("a-long-test-password-2026")
