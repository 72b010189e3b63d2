"""The roles of the platform: groups of permissions, each with a department scope.

Roles are Django groups named by their code; ``sync_roles`` (run by migrate) keeps their
permissions equal to this table, so the table is the single source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Scope(StrEnum):
    NONE = "none"  # sees no messages
    DEPARTMENT = "department"  # sees the messages of the user's own department
    ALL = "all"  # sees every message


@dataclass(frozen=True)
class RoleDefinition:
    code: str
    label: Promise
    scope: Scope
    permissions: tuple[str, ...]
    uses_admin: bool = False  # maintains reference data in the admin (is_staff)


def _model_permissions(app: str, models: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        f"{app}.{action}_{model}" for model in models for action in ("view", "add", "change")
    )


TAXONOMY_ADMIN = (
    "taxonomy.view_taxonomyversion",
    "taxonomy.change_taxonomyversion",
    *_model_permissions("taxonomy", ("category", "theme")),
)


ROLES: tuple[RoleDefinition, ...] = (
    RoleDefinition("citizen", _("Citizen"), Scope.NONE, ()),
    RoleDefinition(
        "desk_clerk",
        _("Desk clerk"),
        Scope.ALL,
        ("accounts.view_all_messages", "accounts.act_on_messages"),
    ),
    RoleDefinition(
        "editor",
        _("Editor"),
        Scope.ALL,
        ("accounts.view_all_messages", "accounts.edit_publications"),
    ),
    RoleDefinition(
        "dept_officer",
        _("Department officer"),
        Scope.DEPARTMENT,
        (
            "accounts.view_department_messages",
            "accounts.act_on_messages",
            "accounts.handle_applications",
            "accounts.view_applicant_details",
        ),
    ),
    RoleDefinition(
        "dept_head",
        _("Department head"),
        Scope.DEPARTMENT,
        (
            "accounts.view_department_messages",
            "accounts.act_on_messages",
            "accounts.export_messages",
            "accounts.handle_applications",
            "accounts.view_applicant_details",
        ),
    ),
    RoleDefinition(
        "desk_supervisor",
        _("Desk supervisor"),
        Scope.ALL,
        (
            "accounts.view_all_messages",
            "accounts.act_on_messages",
            "accounts.export_messages",
            "accounts.view_personal_data",
            "accounts.supervise_messages",
            "accounts.supervise_applications",
            "accounts.manage_taxonomy",
            *TAXONOMY_ADMIN,
            *_model_permissions("channels", ("campaign",)),
            # Bulk imports of messages (channels.add_importrun is the right to start one).
            "channels.add_importrun",
            "channels.view_importrun",
            *_model_permissions("channels", ("importsource",)),
        ),
        uses_admin=True,
    ),
    RoleDefinition(
        "leader",
        _("Leader"),
        Scope.ALL,
        ("accounts.view_all_messages", "accounts.view_overview", "accounts.export_messages"),
    ),
    RoleDefinition(
        "finance_officer", _("Finance officer"), Scope.NONE, ("accounts.handle_finance",)
    ),
    RoleDefinition(
        "enforcement_officer",
        _("Enforcement officer"),
        Scope.NONE,
        ("accounts.handle_enforcement",),
    ),
    RoleDefinition(
        "disclosure_officer",
        _("Disclosure officer"),
        Scope.NONE,
        ("accounts.handle_disclosure",),
    ),
    RoleDefinition(
        "disclosure_head",
        _("Head of the disclosure office"),
        Scope.NONE,
        ("accounts.handle_disclosure", "accounts.approve_disclosure"),
    ),
    RoleDefinition(
        "administrator",
        _("Administrator"),
        Scope.ALL,
        (
            "accounts.view_all_messages",
            "accounts.manage_organisations",
            "accounts.manage_taxonomy",
            "accounts.manage_api_clients",
            *TAXONOMY_ADMIN,
            *_model_permissions("orgs", ("region", "department", "servicehall")),
            *_model_permissions("accounts", ("user", "apiclient")),
            *_model_permissions("casework", ("calendaryear",)),
            "accounts.view_personaldataaccess",
            "jobs.view_jobrun",
            *_model_permissions("channels", ("campaign",)),
            "channels.view_referencerejection",
            "channels.view_hallcoderevocation",
            # Personal-information impact records (PIPL Art. 55), read by auditors.
            "publishing.view_impactrecord",
            "publishing.view_publication",
            "applications.view_application",
            "applications.view_rating",
            "applications.view_followup",
        ),
        uses_admin=True,
    ),
)

ROLES_BY_CODE = {role.code: role for role in ROLES}
