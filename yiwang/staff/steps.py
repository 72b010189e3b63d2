"""The staff pages' steps: one form per step, posted to ``…/<id>/<step>``, the step's action
run, and the page shown again with the form's or the action's error, or a message of success.
Fines, government information and information requests share it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

from yiwang.accounts.models import User


@dataclass(frozen=True)
class Step:
    form: type[forms.Form] | None  # None: a step with nothing to fill in
    run: Callable[[User, int, dict[str, Any]], object]  # the action: user, object id, form data
    done: Promise  # the message of success


class Page(Protocol):
    """The object's page again, with the bound form at fault or the action's error."""

    def __call__(
        self, *, bound: dict[str, forms.Form] | None = None, error: str = ""
    ) -> HttpResponse: ...


def take_step(
    request: HttpRequest,
    user: User,
    object_id: int,
    name: str,
    step: Step,
    page: Page,
    refused: type[Exception],
) -> HttpResponse | None:
    """Run ``step`` on the object; None when it was done (the caller redirects), else the page
    with the error. ``refused`` is the action's error class (its ``message`` is shown); a
    ``PermissionError`` from the action is a 403."""
    data: dict[str, Any] = {}
    bound: dict[str, forms.Form] | None = None
    if step.form is not None:
        form = step.form(request.POST, prefix=name)
        bound = {name: form}
        if not form.is_valid():
            return page(bound=bound)
        data = form.cleaned_data
    try:
        step.run(user, object_id, data)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except refused as exc:  # shown with what was typed, to be corrected
        return page(bound=bound, error=str(getattr(exc, "message", exc)))
    messages.success(request, str(step.done))
    return None
