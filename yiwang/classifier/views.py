"""The supervisor's page of the classifier: automatic-application thresholds per major
category (and, as models are trained, their versions and evaluation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.casework.machine import IllegalMove
from yiwang.classifier.actions import do_set_auto_apply
from yiwang.classifier.models import AutoApplyRule
from yiwang.taxonomy.models import Category


def _supervisor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_perm("accounts.supervise_messages"):
        raise PermissionDenied
    return user


def _threshold(raw: str) -> float | None:
    """'' is no rule; anything else must be a number (checked for range by the action)."""
    raw = raw.strip().replace("%", "")
    if not raw:
        return None
    value = float(raw)  # ValueError for text
    return value / 100 if value > 1 else value


@login_required
def classifier_home(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    majors = list(Category.objects.filter(parent__isnull=True, version__is_active=True))
    if request.method == "POST":
        errors = _save_rules(user, majors, request.POST)
        if not errors:
            messages.success(request, _("The thresholds have been saved."))
            return redirect("classifier:home")
        for error in errors:
            messages.error(request, error)
    rules = dict(AutoApplyRule.objects.values_list("category_id", "threshold"))
    rows = [(major, rules.get(major.pk)) for major in majors]
    return render(request, "classifier/home.html", {"rows": rows})


def _save_rules(user: User, majors: list[Category], data: dict[str, str]) -> list[str]:
    errors = []
    for major in majors:
        field = f"threshold_{major.pk}"
        if field not in data:
            continue
        try:
            do_set_auto_apply(user, major.pk, _threshold(data[field]))
        except (ValueError, IllegalMove) as exc:
            reason = exc.message if isinstance(exc, IllegalMove) else _("Give a number.")
            errors.append(f"{major.name_zh}: {reason}")
    return errors
