"""The supervisor's page of the classifier: automatic-application thresholds per major
category (and, as models are trained, their versions and evaluation)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.casework.machine import IllegalMove
from yiwang.classifier.actions import do_set_auto_apply
from yiwang.classifier.charts import confusion_svg, curve_svg
from yiwang.classifier.evaluation import most_confused
from yiwang.classifier.models import AutoApplyRule, ModelVersion, Target
from yiwang.classifier.registry import ArtefactCorrupt, do_activate
from yiwang.classifier.tasks import retrain
from yiwang.classifier.training import category_paths
from yiwang.orgs.models import Department
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
    context = {"rows": rows, "models": [_model_summary(t) for t in Target]}
    return render(request, "classifier/home.html", context)


def _label_names(target: Target) -> dict[str, str]:
    """Label keys of the metrics ("01/01.01", or a department's short code) → readable names."""
    if target == Target.CATEGORY:
        return {"/".join(path): name for path, name in _category_names().items()}
    return dict(Department.objects.values_list("short_code", "name_zh"))


def _category_names() -> dict[tuple[str, ...], str]:
    names = dict(Category.objects.filter(version__is_active=True).values_list("pk", "name_zh"))
    return {path: names[pk] for pk, path in category_paths().items()}


def _model_summary(target: Target) -> dict[str, Any]:
    versions = list(ModelVersion.objects.filter(target=target)[:20])
    active = next((v for v in versions if v.is_active), None)
    summary: dict[str, Any] = {"target": target, "versions": versions, "active": active}
    if active is not None and active.metrics.get("labels"):
        names = _label_names(target)
        summary["per_label"] = [
            (names.get(label, label), figures)
            for label, figures in active.metrics["per_label"].items()
        ]
        summary["confusion"] = confusion_svg(active.metrics, names)
        summary["curve"] = curve_svg(active.metrics)
        summary["confused"] = [
            (names.get(a, a), names.get(b, b), n) for a, b, n in most_confused(active.metrics)
        ]
    return summary


@login_required
@require_POST
def activate(request: HttpRequest, version_id: int) -> HttpResponse:
    """A supervisor puts an earlier (or newer) version back in use: the rollback."""
    user = _supervisor(request)
    version = get_object_or_404(ModelVersion, pk=version_id)
    try:
        do_activate(user, version)
    except ArtefactCorrupt:
        messages.error(request, _("This version's model file is damaged; the active one stays."))
    else:
        messages.success(request, _("%(version)s is now in use.") % {"version": version})
    return redirect("classifier:home")


@login_required
@require_POST
def train(request: HttpRequest, target: str) -> HttpResponse:
    """A supervisor asks for a new version now; the worker trains it and puts it in use only
    if it is not worse than the active one."""
    _supervisor(request)
    if target not in Target.values:
        raise Http404
    retrain.enqueue(target)
    messages.success(
        request,
        _(
            "Training has been started on the background worker. The new version appears here "
            "when it is ready, in use only if it is not worse than the active one."
        ),
    )
    return redirect("classifier:home")


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
