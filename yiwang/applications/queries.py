"""The read side of applications: the applicant's look-up and the department's lists."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from yiwang.accounts.models import User
from yiwang.applications.models import (
    ApplicantType,
    Application,
    ApplicationState,
    FollowUp,
    FollowUpState,
)
from yiwang.intake.personal import unseal_as
from yiwang.lib.codes import normalize_tracking_number, query_code_matches
from yiwang.lib.contact import mask_id_number, mask_mobile, mask_name

OPEN_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.CORRECTION,
    ApplicationState.ACCEPTED,
    ApplicationState.DECIDING,
)


def find(number: str, code: str) -> Application | None:
    """The application with this number whose query code matches; None otherwise (the
    caller cannot tell a wrong number from a wrong code)."""
    number = normalize_tracking_number(number)[:50]
    if not number.isalnum():
        return None
    application = (
        Application.objects.filter(number=number)
        .select_related("implementation__item", "department")
        .first()
    )
    key = settings.YIWANG_QUERY_CODE_KEY.encode()
    if application is None or not query_code_matches(
        key, number, code, application.query_code_digest
    ):
        return None
    return application


def masked_applicant(application: Application) -> dict[str, str]:
    """The applicant as the status page and officers without the personal-data right see it."""
    identifier = unseal_as("applications.identifier", application.identifier_encrypted)
    mobile = unseal_as("applications.mobile", application.mobile_encrypted)
    entity = application.applicant_type == ApplicantType.ENTITY  # a company's name is public
    return {
        "name": application.applicant_name if entity else mask_name(application.applicant_name),
        "identifier": mask_id_number(identifier) if len(identifier) == 18 else "",
        "mobile": mask_mobile(mobile),
    }


def department_queue(user: User) -> QuerySet[Application]:
    """The open applications of the officer's department, oldest first."""
    if not user.has_perm("accounts.handle_applications") or user.department_id is None:
        return Application.objects.none()
    return (
        Application.objects.filter(department_id=user.department_id, state__in=OPEN_STATES)
        .select_related("implementation__item")
        .order_by("submitted_at", "id")
    )


def open_follow_ups(user: User) -> QuerySet[FollowUp]:
    """The department's bad ratings still to follow up, soonest due first."""
    if not user.has_perm("accounts.handle_applications") or user.department_id is None:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(
        department_id=user.department_id, state=FollowUpState.OPEN
    ).select_related("rating__application")


def by_number(number: str) -> Application | None:
    """The application with this number; hostile input (a NUL, 1000 characters, SQL) finds
    nothing and never reaches the database."""
    number = normalize_tracking_number(number)
    if not (number.isascii() and number.isalnum() and len(number) <= 50):
        return None
    return (
        Application.objects.filter(number=number)
        .select_related("implementation__item", "department")
        .first()
    )


def appealed_follow_ups(user: User) -> QuerySet[FollowUp]:
    """Appeals against bad ratings awaiting a decision: every one for a supervisor of
    applications, the department's own for its officers; oldest appeal first."""
    appealed = FollowUp.objects.filter(state=FollowUpState.APPEALED)
    if not user.has_perm("accounts.supervise_applications"):
        if not user.has_perm("accounts.handle_applications") or user.department_id is None:
            return FollowUp.objects.none()
        appealed = appealed.filter(department_id=user.department_id)
    return appealed.select_related("rating__application", "department").order_by(
        "appealed_at", "id"
    )


def applicant_details(application: Application) -> dict[str, str]:
    """The applicant unmasked, for a permitted and recorded look (see the staff page)."""
    return {
        "name": application.applicant_name,
        "identifier": unseal_as("applications.identifier", application.identifier_encrypted),
        "mobile": unseal_as("applications.mobile", application.mobile_encrypted),
        "address": unseal_as("applications.address", application.address_encrypted),
    }
