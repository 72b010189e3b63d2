"""Alipay and WeChat Pay through the payment platform: a charge handed over, the provider's
signed notification posted to our endpoint, verified, applied once and answered as the provider
expects (issue 8). The adapters' own rules are tested in ``yiwang/payments/tests``; keys are
generated in the tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from yiwang.payments import actions
from yiwang.payments.actions import NewPayment
from yiwang.payments.models import NotificationOutcome, Payment, PaymentState, ProviderNotification
from yiwang.payments.providers import registry
from yiwang.payments.providers.alipay import AlipayProvider
from yiwang.payments.providers.wechat import WechatProvider
from yiwang.payments.tests import test_alipay as ali
from yiwang.payments.tests import test_wechat as wx
from yiwang.payments.tests.keys import new_key

FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture(scope="module")
def alipay_keys() -> ali.Keys:
    return ali.Keys(merchant=new_key(), alipay=new_key(), foreign=new_key())


@pytest.fixture(scope="module")
def wechat_keys() -> wx.Keys:
    return wx.Keys(merchant=new_key(), platform=new_key(), foreign=new_key())


@pytest.fixture
def providers() -> Iterator[None]:
    with override_settings(YIWANG_PAYMENT_PROVIDERS=["simulator", "alipay", "wechat"]):
        yield
    registry.clear()


def handed_to(provider: str, amount: int = 20000) -> Payment:
    request = NewPayment(amount, "3301060000000017", "违停罚款", "https://fines.example/17")
    payment, _created = actions.do_create_payment("fines", request)
    actions.do_open(payment.pk)
    return actions.do_submit(payment.pk, provider)


def test_an_alipay_notification_pays_the_payment_once_and_is_answered_success(
    db: None, client: Client, providers: None, alipay_keys: ali.Keys
) -> None:
    keys = alipay_keys
    registry.install("alipay", AlipayProvider(ali.config_for(keys), ali.FakeAlipay(keys)))
    payment = handed_to("alipay")
    assert payment.state == PaymentState.SUBMITTED
    assert payment.provider_url.startswith("https://openapi.alipay.com/gateway.do?")
    fields = ali.notification_fields(out_trade_no=payment.external_id, seller_id=None)
    body = ali.signed_form(fields, keys.alipay)
    for _ in range(2):
        response = client.post("/payments/notify/alipay/", body, content_type=FORM)
        assert (response.status_code, response.content) == (200, b"success")
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    row = ProviderNotification.objects.get()
    assert (row.outcome, row.times_received) == (NotificationOutcome.APPLIED, 2)
    assert row.provider_id == ali.ALIPAY_TRADE_NO


def test_an_alipay_notification_with_another_amount_or_a_foreign_signature_is_refused(
    db: None, client: Client, providers: None, alipay_keys: ali.Keys
) -> None:
    keys = alipay_keys
    registry.install("alipay", AlipayProvider(ali.config_for(keys), ali.FakeAlipay(keys)))
    payment = handed_to("alipay")
    cheap = ali.notification_fields(out_trade_no=payment.external_id, total_amount="0.01")
    response = client.post(
        "/payments/notify/alipay/", ali.signed_form(cheap, keys.alipay), content_type=FORM
    )
    assert response.content == b"success"  # understood; refused by the core, kept on record
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.REFUSED
    forged = ali.notification_fields(out_trade_no=payment.external_id, notify_id="other")
    response = client.post(
        "/payments/notify/alipay/", ali.signed_form(forged, keys.foreign), content_type=FORM
    )
    assert response.content == b"failure"
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUBMITTED


def test_a_wechat_payment_shows_its_code_and_its_notification_pays_it(
    db: None, client: Client, providers: None, wechat_keys: wx.Keys
) -> None:
    keys = wechat_keys
    gateway = wx.FakeWechat(keys)
    gateway.answer(*wx.NATIVE, 200, {"code_url": wx.CODE_URL})
    provider = WechatProvider(wx.config_for(keys), gateway, clock=lambda: wx.NOW)
    registry.install("wechat", provider)
    request = NewPayment(20000, "3301060000000017", "违停罚款", "https://fines.example/17")
    payment, _created = actions.do_create_payment("fines", request)
    client.get(f"/payments/pay/{payment.external_id}/")
    page = client.post(f"/payments/pay/{payment.external_id}/", {"provider": "wechat"})
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    body = wx.notification_body(out_trade_no=payment.external_id)
    headers = wx.platform_headers(keys.platform, body)
    for _ in range(3):
        response = client.post(
            "/payments/notify/wechat/", body, content_type="application/json", headers=headers
        )
        assert response.status_code == 204
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert ProviderNotification.objects.get().times_received == 3
    tampered = body.replace(b"fdasflkja484", b"fdasflkja485")
    response = client.post(
        "/payments/notify/wechat/",
        tampered,
        content_type="application/json",
        headers=wx.platform_headers(keys.platform, tampered),
    )
    assert response.status_code == 500
