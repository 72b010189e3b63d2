"""The payer's pages: pay (choose how, or cancel), back from the provider, and the
simulated provider's own page; and the endpoint providers post their notifications to."""

from __future__ import annotations

import contextlib

import qrcode
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from qrcode.image.svg import SvgPathImage

from yiwang.payments import actions
from yiwang.payments.ids import is_external_id
from yiwang.payments.models import Payment, SimulatedCharge
from yiwang.payments.providers import registry
from yiwang.payments.providers import simulator as simulated
from yiwang.payments.providers.base import ProviderStatus, ProviderUnavailable

MAX_NOTIFICATION = 64 * 1024
PROVIDER_LABELS = {
    "simulator": "模拟支付 Simulator",
    "alipay": "支付宝 Alipay",
    "wechat": "微信支付 WeChat Pay",
}


def _payment(payment_id: str) -> Payment:
    payment = None
    if is_external_id(payment_id):
        payment = Payment.objects.filter(external_id=payment_id).first()
    if payment is None:
        raise Http404
    return payment


def _page(
    request: HttpRequest, payment: Payment, error: str = "", status: int = 200
) -> HttpResponse:
    choices = [(name, PROVIDER_LABELS.get(name, name)) for name in registry.enabled()]
    context = {"payment": payment, "choices": choices, "error": error}
    with translation.override(payment.language):
        return render(request, "payments/pay.html", context, status=status)


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, payment_id: str) -> HttpResponse:
    payment = actions.do_open(_payment(payment_id).pk)
    if request.method == "GET" or payment.finished:
        return _page(request, payment)
    if request.POST.get("action") == "cancel":
        actions.do_abandon(payment.pk)
        return HttpResponseRedirect(payment.return_url)
    provider = request.POST.get("provider", "")
    if provider not in registry.enabled():
        with translation.override(payment.language):
            return _page(request, payment, _("Please choose how to pay."), status=400)
    try:
        payment = actions.do_submit(payment.pk, provider)
    except actions.ChargeFailed as exc:
        fresh = Payment.objects.get(pk=payment.pk)
        with translation.override(payment.language):
            return _page(request, fresh, _charge_failed(exc.retry), 503 if exc.retry else 502)
    if payment.finished or not payment.provider_url:
        return _page(request, payment)
    if not payment.provider_url.startswith(("https://", "http://", "/")):
        return _scan_page(request, payment)  # e.g. WeChat Pay's weixin:// code
    return HttpResponseRedirect(payment.provider_url)


def _scan_page(request: HttpRequest, payment: Payment) -> HttpResponse:
    """A provider whose payer page is a code to scan (WeChat Pay Native): the code, and a
    link back that settles the payment once paid."""
    image = qrcode.make(payment.provider_url, image_factory=SvgPathImage, border=2)
    context = {
        "payment": payment,
        "qr": image.to_string(encoding="unicode"),
    }
    with translation.override(payment.language):
        return render(request, "payments/scan.html", context)


def _charge_failed(retry: bool) -> str:
    if retry:
        return _(
            "The payment service cannot be reached just now. Nothing has been charged; "
            "please try again in a few minutes."
        )
    return _("The payment service could not take this payment. Nothing has been charged.")


def returned(request: HttpRequest, payment_id: str) -> HttpResponse:
    """Back from the provider: settle what we can know now, then on to the service's page,
    which asks ``GET /payments/{id}`` for the outcome (the address carries none)."""
    payment = _payment(payment_id)
    if not payment.finished and payment.provider:
        # When the provider cannot be reached, its notification or the sweep settles it.
        with contextlib.suppress(ProviderUnavailable):
            payment = actions.do_resolve(payment.pk)
    return HttpResponseRedirect(payment.return_url)


@csrf_exempt
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's notification: verified, applied at most once, answered as it expects."""
    if provider not in registry.enabled():
        raise Http404
    if len(request.body) > MAX_NOTIFICATION:
        return HttpResponse(b"too large", status=413, content_type="text/plain")
    headers = dict(request.headers.items())
    ack = actions.do_receive_notification(provider, headers, request.body)
    return HttpResponse(ack.body, status=ack.status, content_type=ack.content_type)


@require_http_methods(["GET", "POST"])
def simulator(request: HttpRequest, trade_no: str) -> HttpResponse:
    """The simulated provider's page, where the payer pays or gives up."""
    if "simulator" not in registry.enabled():
        raise Http404
    charge = None
    if is_external_id(trade_no):
        charge = SimulatedCharge.objects.filter(trade_no=trade_no).first()
    if charge is None:
        raise Http404
    if request.method == "POST" and charge.status == ProviderStatus.PENDING:
        if request.POST.get("action") == "pay":
            simulated.pay(charge.trade_no)
        else:
            simulated.abandon(charge.trade_no)
        return HttpResponseRedirect(charge.return_url)
    context = {"charge": charge, "outcomes": simulated.OUTCOMES}
    return render(request, "payments/simulator.html", context)
