"""The citizen's pages: look a fine up by decision number and plate, see what is owed, pay,
and download the decision and the payment slip. Any district's fine, from one page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.fines import actions, documents
from yiwang.fines.forms import LookupForm
from yiwang.fines.models import CaseState, ParkingCase
from yiwang.fines.numbers import is_decision_number
from yiwang.intake.limits import RateLimited, check_track_rate
from yiwang.payments import services

SESSION_KEY = "fines_looked_up"
REMEMBERED = 10


def _lookup_page(request: HttpRequest, form: LookupForm, status: int = 200) -> HttpResponse:
    return render(request, "fines/lookup.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _lookup_page(request, LookupForm())
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _lookup_page(request, form, status=400)
    number, plate = form.cleaned_data["decision_number"], form.cleaned_data["plate"]
    try:
        check_track_rate(request, number)
    except RateLimited:
        form.add_error(None, _("Too many look-ups. Please wait a while and try again."))
        return _lookup_page(request, form, status=429)
    case = ParkingCase.objects.filter(decision_number=number, plate=plate).first()
    if case is None:  # one message, whether the number or the plate is wrong
        form.add_error(None, _("No fine matches this decision number and plate."))
        return _lookup_page(request, form, status=404)
    seen = [n for n in request.session.get(SESSION_KEY, []) if n != number]
    request.session[SESSION_KEY] = [*seen, number][-REMEMBERED:]
    return redirect("fines:case", number=number)


Follow = Callable[[HttpRequest, ParkingCase], HttpResponse]


def looked_up(view: Follow) -> Callable[[HttpRequest, str], HttpResponse]:
    """The view gets the case when this browser looked it up with its plate."""

    @wraps(view)
    def checked(request: HttpRequest, number: str) -> HttpResponse:
        case = None
        if is_decision_number(number) and number in request.session.get(SESSION_KEY, []):
            case = (
                ParkingCase.objects.select_related("bureau", "region")
                .filter(decision_number=number)
                .first()
            )
        if case is None:
            messages.error(
                request, _("Please look the fine up with its decision number and plate.")
            )
            return _lookup_page(request, LookupForm(), status=403)
        return view(request, case)

    return checked


@looked_up
def case_page(request: HttpRequest, case: ParkingCase) -> HttpResponse:
    context = {
        "case": case,
        "due": actions.amount_due(case),
        "paid": case.state == CaseState.PAID,
    }
    return render(request, "fines/case.html", context)


@require_POST
@looked_up
def pay(request: HttpRequest, case: ParkingCase) -> HttpResponse:
    try:
        next_url = actions.do_start_payment(case.pk)
    except actions.AlreadyPaid:
        messages.info(request, _("This fine has been paid."))
        return redirect("fines:case", number=case.decision_number)
    except actions.CaseError as exc:
        messages.error(request, exc.message)
        return redirect("fines:case", number=case.decision_number)
    except services.PaymentError as exc:
        messages.error(request, exc.message)
        return redirect("fines:case", number=case.decision_number)
    return redirect(next_url)


@looked_up
def returned(request: HttpRequest, case: ParkingCase) -> HttpResponse:
    """Back from paying: the payment platform decides the outcome (its GET is the truth)."""
    latest = case.payments.order_by("-pk").first()
    if latest is not None:
        view = services.get_payment(actions.OWNER, latest.payment_id)
        if view.finished:
            actions.do_record_payment(view)  # idempotent: the news may not have arrived yet
        if view.state == "success":
            messages.success(request, _("Thank you: the fine has been paid."))
        elif view.finished:
            messages.error(request, _("The payment did not go through. Nothing was charged."))
    return redirect("fines:case", number=case.decision_number)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@looked_up
def decision_pdf(request: HttpRequest, case: ParkingCase) -> HttpResponse:
    return _pdf(documents.decision_pdf(case), f"decision-{case.decision_number}.pdf")


@looked_up
def slip_pdf(request: HttpRequest, case: ParkingCase) -> HttpResponse:
    return _pdf(documents.slip_pdf(case), f"payment-slip-{case.decision_number}.pdf")
