"""The Alipay adapter against a fake gateway that checks our RSA2 signatures and signs its own
answers with a test "Alipay" key, the way the open platform does."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import socket
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from yiwang.payments.providers.alipay import (
    DEFAULT_GATEWAY,
    AlipayConfig,
    AlipayProvider,
    parse_statement_csv,
)
from yiwang.payments.providers.base import (
    ChargeRequest,
    HttpResponse,
    InvalidNotification,
    Provider,
    ProviderEvent,
    ProviderRefused,
    ProviderStatus,
    ProviderUnavailable,
    StatementRow,
)
from yiwang.payments.tests.keys import new_key, private_pem, public_pem, sign_rsa2
from yiwang.payments.tests.loopback import serving

APP_ID = "2021000123456789"
SELLER_ID = "2088102177846880"
TRADE_NO = "YW2024030100000000000000001"
ALIPAY_TRADE_NO = "2024030122001446880500123456"
BEIJING = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2024, 3, 1, 2, 0, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
BILL_URL = (
    "https://dwbillcenter.alipay.com/downloadBillFile.resource?bizType=trade&fileType=csv.zip"
)


# --- keys and the signature rules, written out as the open platform docs state them ----------


@dataclass(frozen=True)
class Keys:
    merchant: rsa.RSAPrivateKey  # ours
    alipay: rsa.RSAPrivateKey  # the platform's
    foreign: rsa.RSAPrivateKey  # anybody else's


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(merchant=new_key(), alipay=new_key(), foreign=new_key())


def bare_base64(pem: str) -> str:
    """A key the way Alipay's console shows it: the PEM body on one line, no armour."""
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def rsa2_holds(key: rsa.RSAPrivateKey, content: bytes, sign: str) -> bool:
    try:
        key.public_key().verify(
            base64.b64decode(sign), content, padding.PKCS1v15(), hashes.SHA256()
        )
    except Exception:
        return False
    return True


def content_to_sign(params: dict[str, str], drop: set[str]) -> str:
    """Drop ``drop`` and empty values, sort by key, join ``k=v`` with ``&``, raw values."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in drop and params[k])


# --- the fake gateway --------------------------------------------------------------------------


class FakeAlipay:
    """A callable Transport standing in for the open platform gateway."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self.answers: dict[str, dict[str, object]] = {}
        self.requests: list[dict[str, str]] = []
        self.files: dict[str, bytes] = {}
        self.http_status = 200
        self.signer = keys.alipay
        self.signed = True
        self.escape_slashes = False

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> HttpResponse:
        if url in self.files:
            return HttpResponse(200, {"Content-Type": "application/zip"}, self.files[url])
        assert (method, url) == ("POST", DEFAULT_GATEWAY)
        params = dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))
        content = content_to_sign(params, {"sign"}).encode("utf-8")
        assert rsa2_holds(self.keys.merchant, content, params["sign"]), "our request signature"
        assert params["app_id"] == APP_ID
        assert params["sign_type"] == "RSA2"
        self.requests.append(params)
        if self.http_status != 200:
            return HttpResponse(self.http_status, {}, b"<html>Bad Gateway</html>")
        return self.answer(params["method"], self.answers[params["method"]])

    def answer(self, method: str, node: dict[str, object]) -> HttpResponse:
        name = method.replace(".", "_") + "_response"
        node_text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        sign = sign_rsa2(self.signer, node_text.encode("utf-8"))
        if self.escape_slashes:  # as the gateway sometimes does, after signing
            node_text = node_text.replace("/", "\\/")
        signature = f',"sign":"{sign}"' if self.signed else ""
        return HttpResponse(200, {}, f'{{"{name}":{node_text}{signature}}}'.encode())

    def biz(self, index: int = -1) -> dict[str, object]:
        parsed = json.loads(self.requests[index]["biz_content"])
        assert isinstance(parsed, dict)
        return parsed


@pytest.fixture
def gateway(keys: Keys) -> FakeAlipay:
    return FakeAlipay(keys)


def config_for(keys: Keys, **changes: object) -> AlipayConfig:
    config = AlipayConfig(
        app_id=APP_ID,
        private_key_pem=private_pem(keys.merchant),
        alipay_public_key_pem=public_pem(keys.alipay),
    )
    return replace(config, **changes)  # type: ignore[arg-type]


@pytest.fixture
def alipay(keys: Keys, gateway: FakeAlipay) -> AlipayProvider:
    return AlipayProvider(config_for(keys), gateway, clock=lambda: NOW)


def test_the_adapter_is_a_provider(alipay: AlipayProvider) -> None:
    provider: Provider = alipay
    assert provider.name == "alipay"


def test_keys_may_be_given_as_alipay_shows_them_in_bare_base64(keys: Keys) -> None:
    config = config_for(
        keys,
        private_key_pem=bare_base64(private_pem(keys.merchant)),
        alipay_public_key_pem=bare_base64(public_pem(keys.alipay)),
    )
    assert AlipayProvider(config, FakeAlipay(keys)).name == "alipay"


# --- charges -----------------------------------------------------------------------------------


def charge_request(**changes: object) -> ChargeRequest:
    request = ChargeRequest(
        trade_no=TRADE_NO,
        amount=1234,
        description="交通违法罚款 3201001234567890",
        return_url="https://pay.example.gov.cn/pay/return",
        notify_url="https://pay.example.gov.cn/pay/notify/alipay",
        expires_at=dt.datetime(2024, 3, 1, 3, 30, tzinfo=dt.UTC),
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def cashier_params(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == DEFAULT_GATEWAY
    return dict(parse_qsl(parts.query, keep_blank_values=True))


def test_the_cashier_url_is_a_page_pay_request_signed_with_our_key(
    alipay: AlipayProvider, keys: Keys
) -> None:
    params = cashier_params(alipay.create_charge(charge_request()).next_url)
    content = content_to_sign(params, {"sign"}).encode("utf-8")
    assert rsa2_holds(keys.merchant, content, params["sign"])
    assert params["method"] == "alipay.trade.page.pay"
    assert params["app_id"] == APP_ID
    assert (params["charset"], params["sign_type"], params["version"]) == ("utf-8", "RSA2", "1.0")
    assert params["timestamp"] == "2024-03-01 10:00:00"
    assert params["notify_url"] == "https://pay.example.gov.cn/pay/notify/alipay"
    assert params["return_url"] == "https://pay.example.gov.cn/pay/return"


def test_the_cashier_url_states_the_amount_in_yuan_and_the_expiry_in_beijing_time(
    alipay: AlipayProvider,
) -> None:
    params = cashier_params(alipay.create_charge(charge_request(amount=1)).next_url)
    assert json.loads(params["biz_content"]) == {
        "out_trade_no": TRADE_NO,
        "total_amount": "0.01",
        "subject": "交通违法罚款 3201001234567890",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        "time_expire": "2024-03-01 11:30:00",
    }


def test_a_tampered_cashier_url_no_longer_verifies(alipay: AlipayProvider, keys: Keys) -> None:
    params = cashier_params(alipay.create_charge(charge_request()).next_url)
    params["biz_content"] = params["biz_content"].replace("12.34", "0.01")
    assert not rsa2_holds(keys.merchant, content_to_sign(params, {"sign"}).encode(), params["sign"])


def test_a_mobile_configuration_asks_for_the_wap_cashier(keys: Keys, gateway: FakeAlipay) -> None:
    alipay = AlipayProvider(config_for(keys, product="wap"), gateway, clock=lambda: NOW)
    params = cashier_params(alipay.create_charge(charge_request()).next_url)
    assert params["method"] == "alipay.trade.wap.pay"
    assert json.loads(params["biz_content"])["product_code"] == "QUICK_WAP_WAY"


@pytest.mark.parametrize(
    "changes",
    [{"amount": 0}, {"amount": -1}, {"expires_at": dt.datetime(2024, 3, 1, 11, 30)}],
)
def test_a_charge_without_a_positive_amount_or_an_aware_expiry_is_refused(
    alipay: AlipayProvider, changes: dict[str, object]
) -> None:
    with pytest.raises(ValueError, match="positive amount"):
        alipay.create_charge(charge_request(**changes))


# --- notifications -----------------------------------------------------------------------------


def notification_fields(**changes: str | None) -> dict[str, str]:
    """A trade_status_sync notification as Alipay posts it; None removes a field."""
    fields = {
        "gmt_create": "2024-03-01 10:00:00",
        "charset": "utf-8",
        "seller_email": "fines@example.gov.cn",
        "subject": "交通违法罚款",
        "sign_type": "RSA2",
        "buyer_id": "2088102177846881",
        "invoice_amount": "200.00",
        "notify_id": "2024030100222100016087421498741832",
        "fund_bill_list": '[{"amount":"200.00","fundChannel":"ALIPAYACCOUNT"}]',
        "notify_type": "trade_status_sync",
        "trade_status": "TRADE_SUCCESS",
        "receipt_amount": "200.00",
        "app_id": APP_ID,
        "buyer_pay_amount": "200.00",
        "seller_id": SELLER_ID,
        "gmt_payment": "2024-03-01 10:00:05",
        "notify_time": "2024-03-01 10:00:06",
        "version": "1.0",
        "out_trade_no": TRADE_NO,
        "total_amount": "200.00",
        "trade_no": ALIPAY_TRADE_NO,
        "auth_app_id": APP_ID,
        "buyer_logon_id": "159****5620",
        "point_amount": "0.00",
        "body": "",
    }
    fields.update(changes)  # type: ignore[arg-type]
    return {key: value for key, value in fields.items() if value is not None}


def signed_form(fields: dict[str, str], key: rsa.RSAPrivateKey, charset: str = "utf-8") -> bytes:
    content = content_to_sign(fields, {"sign", "sign_type"}).encode(charset)
    return urlencode({**fields, "sign": sign_rsa2(key, content)}, encoding=charset).encode()


def notify(alipay: AlipayProvider, body: bytes) -> ProviderEvent:
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    return alipay.verify_and_parse_notification(headers, body)


def refusal(alipay: AlipayProvider, body: bytes) -> str:
    with pytest.raises(InvalidNotification) as caught:
        notify(alipay, body)
    return caught.value.code


def test_a_good_notification_parses_to_a_success_event(alipay: AlipayProvider, keys: Keys) -> None:
    event = notify(alipay, signed_form(notification_fields(), keys.alipay))
    assert event.notification_id == "2024030100222100016087421498741832"
    assert (event.trade_no, event.provider_id) == (TRADE_NO, ALIPAY_TRADE_NO)
    assert event.status is ProviderStatus.SUCCESS
    assert event.amount == 20000
    assert event.paid_at == dt.datetime(2024, 3, 1, 2, 0, 5, tzinfo=dt.UTC)
    assert event.raw["subject"] == "交通违法罚款"
    assert "sign" not in event.raw


@pytest.mark.parametrize(
    ("trade_status", "status"),
    [
        ("WAIT_BUYER_PAY", ProviderStatus.PENDING),
        ("TRADE_SUCCESS", ProviderStatus.SUCCESS),
        ("TRADE_FINISHED", ProviderStatus.SUCCESS),
        ("TRADE_CLOSED", ProviderStatus.CLOSED),
    ],
)
def test_each_trade_status_becomes_our_status(
    alipay: AlipayProvider, keys: Keys, trade_status: str, status: ProviderStatus
) -> None:
    fields = notification_fields(trade_status=trade_status)
    assert notify(alipay, signed_form(fields, keys.alipay)).status is status


def test_a_notification_without_a_payment_time_has_no_paid_at(
    alipay: AlipayProvider, keys: Keys
) -> None:
    fields = notification_fields(trade_status="WAIT_BUYER_PAY", gmt_payment=None)
    assert notify(alipay, signed_form(fields, keys.alipay)).paid_at is None


def test_a_gbk_notification_is_verified_and_read_in_gbk(alipay: AlipayProvider, keys: Keys) -> None:
    body = signed_form(notification_fields(charset="gbk"), keys.alipay, charset="gbk")
    assert "%BD%BB%CD%A8" in body.decode()  # 交通 in GBK
    assert notify(alipay, body).raw["subject"] == "交通违法罚款"


def test_a_seller_is_checked_when_one_is_configured(keys: Keys, gateway: FakeAlipay) -> None:
    alipay = AlipayProvider(config_for(keys, seller_id=SELLER_ID), gateway)
    assert notify(alipay, signed_form(notification_fields(), keys.alipay)).amount == 20000


def test_a_notification_with_a_tampered_amount_is_refused(
    alipay: AlipayProvider, keys: Keys
) -> None:
    body = signed_form(notification_fields(), keys.alipay)
    tampered = body.replace(b"total_amount=200.00", b"total_amount=2.00")
    assert tampered != body
    assert refusal(alipay, tampered) == "bad_signature"


def test_a_notification_with_a_tampered_trade_number_is_refused(
    alipay: AlipayProvider, keys: Keys
) -> None:
    body = signed_form(notification_fields(), keys.alipay)
    assert refusal(alipay, body.replace(b"YW2024", b"YW2025")) == "bad_signature"


def test_a_notification_with_a_tampered_signature_is_refused(
    alipay: AlipayProvider, keys: Keys
) -> None:
    fields = notification_fields()
    content = content_to_sign(fields, {"sign", "sign_type"}).encode()
    signature = bytearray(base64.b64decode(sign_rsa2(keys.alipay, content)))
    signature[10] ^= 1
    body = urlencode({**fields, "sign": base64.b64encode(bytes(signature)).decode()})
    assert refusal(alipay, body.encode()) == "bad_signature"


def test_a_notification_signed_with_a_foreign_key_is_refused(
    alipay: AlipayProvider, keys: Keys
) -> None:
    assert refusal(alipay, signed_form(notification_fields(), keys.foreign)) == "bad_signature"


def test_a_notification_signed_with_our_own_key_is_refused(
    alipay: AlipayProvider, keys: Keys
) -> None:
    assert refusal(alipay, signed_form(notification_fields(), keys.merchant)) == "bad_signature"


@pytest.mark.parametrize("sign", ["", "not base64!", "c2lnbg=="])
def test_a_notification_without_a_real_signature_is_refused(
    alipay: AlipayProvider, sign: str
) -> None:
    body = urlencode({**notification_fields(), "sign": sign}).encode()
    assert refusal(alipay, body) == "bad_signature"


def test_a_notification_claiming_another_signature_type_is_refused(
    alipay: AlipayProvider, keys: Keys
) -> None:
    body = signed_form(notification_fields(sign_type="RSA"), keys.alipay)
    assert refusal(alipay, body) == "bad_signature"


def test_a_notification_for_another_app_is_refused(alipay: AlipayProvider, keys: Keys) -> None:
    body = signed_form(notification_fields(app_id="2021000999999999"), keys.alipay)
    assert refusal(alipay, body) == "wrong_app"


def test_a_notification_for_another_seller_is_refused(keys: Keys, gateway: FakeAlipay) -> None:
    alipay = AlipayProvider(config_for(keys, seller_id=SELLER_ID), gateway)
    body = signed_form(notification_fields(seller_id="2088000000000000"), keys.alipay)
    assert refusal(alipay, body) == "wrong_app"


def test_a_notification_with_an_unknown_trade_status_is_refused(
    alipay: AlipayProvider, keys: Keys
) -> None:
    body = signed_form(notification_fields(trade_status="TRADE_PENDING"), keys.alipay)
    assert refusal(alipay, body) == "unknown_status"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b'{"trade_status": "TRADE_SUCCESS"}', id="json"),
        pytest.param(b"success", id="not a form"),
        pytest.param(b"subject=%FF%FE&sign=x", id="not utf-8"),
        pytest.param("subject=交通".encode(), id="raw non-ascii bytes"),
        pytest.param(b"subject=" + b"x" * 70_000, id="huge"),
        pytest.param(b"a=1&a=2&sign=x", id="a repeated field"),
        pytest.param(b"charset=big5&sign=x", id="an unknown charset"),
        pytest.param(b"&".join(b"f%d=1" % n for n in range(300)), id="too many fields"),
    ],
)
def test_a_body_that_is_not_one_clean_form_is_malformed(
    alipay: AlipayProvider, body: bytes
) -> None:
    assert refusal(alipay, body) == "malformed"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"out_trade_no": None}, id="no out_trade_no"),
        pytest.param({"notify_id": None}, id="no notify_id"),
        pytest.param({"trade_no": None}, id="no trade_no"),
        pytest.param({"total_amount": None}, id="no total_amount"),
        pytest.param({"trade_status": None}, id="no trade_status"),
        pytest.param({"total_amount": "1" * 100}, id="a huge amount"),
        pytest.param({"total_amount": "200.001"}, id="three decimals"),
        pytest.param({"total_amount": "-200.00"}, id="a negative amount"),
        pytest.param({"total_amount": "2e2"}, id="an exponent"),
        pytest.param({"out_trade_no": "Y" * 65}, id="a huge trade number"),
        pytest.param({"gmt_payment": "yesterday"}, id="a bad payment time"),
    ],
)
def test_a_signed_notification_with_bad_fields_is_malformed(
    alipay: AlipayProvider, keys: Keys, changes: dict[str, str | None]
) -> None:
    body = signed_form(notification_fields(**changes), keys.alipay)
    assert refusal(alipay, body) == "malformed"


def test_alipay_is_told_success_exactly_or_it_sends_again(alipay: AlipayProvider) -> None:
    assert (alipay.ack(True).status, alipay.ack(True).body) == (200, b"success")
    assert alipay.ack(True).content_type == "text/plain"
    assert alipay.ack(False).body == b"failure"


# --- query, refund, cancel -----------------------------------------------------------------------


def ok(**fields: object) -> dict[str, object]:
    return {"code": "10000", "msg": "Success", **fields}


def business_error(sub_code: str, sub_msg: str = "业务失败") -> dict[str, object]:
    return {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}


def paid_trade(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "trade_no": ALIPAY_TRADE_NO,
        "out_trade_no": TRADE_NO,
        "buyer_logon_id": "159****5620",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "200.00",
        "send_pay_date": "2024-03-01 10:00:05",
    }
    return ok(**{**fields, **changes})


def test_a_query_of_a_paid_trade_says_success_with_the_amount_in_fen(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.query"] = paid_trade()
    result = alipay.query(TRADE_NO)
    assert gateway.biz() == {"out_trade_no": TRADE_NO}
    assert (result.status, result.amount) == (ProviderStatus.SUCCESS, 20000)
    assert result.provider_id == ALIPAY_TRADE_NO
    assert result.paid_at == dt.datetime(2024, 3, 1, 10, 0, 5, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("trade_status", "status"),
    [("WAIT_BUYER_PAY", ProviderStatus.PENDING), ("TRADE_CLOSED", ProviderStatus.CLOSED)],
)
def test_a_query_maps_the_trade_status(
    alipay: AlipayProvider, gateway: FakeAlipay, trade_status: str, status: ProviderStatus
) -> None:
    gateway.answers["alipay.trade.query"] = paid_trade(trade_status=trade_status)
    assert alipay.query(TRADE_NO).status is status


def test_a_query_of_a_trade_alipay_never_saw_says_not_found(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.query"] = business_error("ACQ.TRADE_NOT_EXIST", "交易不存在")
    assert alipay.query(TRADE_NO).status is ProviderStatus.NOT_FOUND


def test_an_unsigned_not_found_is_not_trusted(alipay: AlipayProvider, gateway: FakeAlipay) -> None:
    gateway.answers["alipay.trade.query"] = business_error("ACQ.TRADE_NOT_EXIST")
    gateway.signed = False
    with pytest.raises(ProviderUnavailable, match="not trusted"):
        alipay.query(TRADE_NO)


def test_an_answer_whose_slashes_were_escaped_after_signing_still_verifies(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.query"] = paid_trade(buyer_logon_id="a/b")
    gateway.escape_slashes = True
    assert alipay.query(TRADE_NO).status is ProviderStatus.SUCCESS


@pytest.mark.parametrize("how", ["foreign key", "unsigned"])
def test_a_success_answer_not_signed_by_alipay_is_not_trusted(
    alipay: AlipayProvider, gateway: FakeAlipay, keys: Keys, how: str
) -> None:
    gateway.answers["alipay.trade.query"] = paid_trade()
    if how == "foreign key":
        gateway.signer = keys.foreign
    else:
        gateway.signed = False
    with pytest.raises(ProviderUnavailable):
        alipay.query(TRADE_NO)


def test_an_answer_about_another_trade_is_not_taken(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.query"] = paid_trade(out_trade_no="YW-someone-else")
    with pytest.raises(ProviderUnavailable, match="another trade"):
        alipay.query(TRADE_NO)


@pytest.mark.parametrize(
    "node",
    [
        pytest.param({"code": "20000", "msg": "Service Unavailable"}, id="20000"),
        pytest.param(business_error("ACQ.SYSTEM_ERROR", "系统错误"), id="system error"),
    ],
)
def test_a_gateway_that_is_down_makes_the_provider_unavailable(
    alipay: AlipayProvider, gateway: FakeAlipay, node: dict[str, object]
) -> None:
    gateway.answers["alipay.trade.query"] = node
    with pytest.raises(ProviderUnavailable):
        alipay.query(TRADE_NO)


@pytest.mark.parametrize("status", [502, 404])
def test_a_gateway_answering_http_errors_makes_the_provider_unavailable(
    alipay: AlipayProvider, gateway: FakeAlipay, status: int
) -> None:
    gateway.http_status = status
    with pytest.raises(ProviderUnavailable, match=f"HTTP {status}"):
        alipay.query(TRADE_NO)


def test_an_answer_that_is_not_json_makes_the_provider_unavailable(
    keys: Keys, gateway: FakeAlipay
) -> None:
    def html(method: str, url: str, headers: object, body: bytes) -> HttpResponse:
        return HttpResponse(200, {}, b"<html>maintenance</html>")

    alipay = AlipayProvider(config_for(keys), html)
    with pytest.raises(ProviderUnavailable, match="unreadable"):
        alipay.query(TRADE_NO)


@pytest.mark.parametrize(
    ("node", "code"),
    [
        (business_error("ACQ.INVALID_PARAMETER", "参数无效"), "ACQ.INVALID_PARAMETER"),
        (
            {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-app-id"},
            "isv.invalid-app-id",
        ),
        ({"code": "40006", "msg": "Insufficient Permissions"}, "40006"),
    ],
)
def test_a_business_error_is_a_refusal_with_alipays_reason(
    alipay: AlipayProvider, gateway: FakeAlipay, node: dict[str, object], code: str
) -> None:
    gateway.answers["alipay.trade.query"] = node
    with pytest.raises(ProviderRefused) as caught:
        alipay.query(TRADE_NO)
    assert caught.value.code == code


def test_an_unsigned_business_error_is_still_a_refusal(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.query"] = business_error("isv.invalid-signature", "验签出错")
    gateway.signed = False
    with pytest.raises(ProviderRefused, match="验签出错"):
        alipay.query(TRADE_NO)


def test_a_refund_sends_the_amount_in_yuan_under_our_refund_number(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.refund"] = ok(
        trade_no=ALIPAY_TRADE_NO, out_trade_no=TRADE_NO, refund_fee="50.00", fund_change="Y"
    )
    result = alipay.refund(TRADE_NO, "RF20240301000001", amount=5000, total=20000)
    assert result.accepted
    assert gateway.biz() == {
        "out_trade_no": TRADE_NO,
        "refund_amount": "50.00",
        "out_request_no": "RF20240301000001",
    }


def test_a_refund_sent_again_is_accepted_though_no_money_moves_twice(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.refund"] = ok(out_trade_no=TRADE_NO, fund_change="N")
    assert alipay.refund(TRADE_NO, "RF20240301000001", amount=5000, total=20000).accepted


def test_a_refused_refund_says_why(alipay: AlipayProvider, gateway: FakeAlipay) -> None:
    gateway.answers["alipay.trade.refund"] = business_error(
        "ACQ.SELLER_BALANCE_NOT_ENOUGH", "卖家余额不足"
    )
    result = alipay.refund(TRADE_NO, "RF20240301000001", amount=5000, total=20000)
    assert not result.accepted
    assert result.error == "ACQ.SELLER_BALANCE_NOT_ENOUGH: 卖家余额不足"


def test_a_refund_that_hits_a_system_error_is_for_later(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.refund"] = business_error("ACQ.SYSTEM_ERROR")
    with pytest.raises(ProviderUnavailable):
        alipay.refund(TRADE_NO, "RF20240301000001", amount=5000, total=20000)


@pytest.mark.parametrize(("amount", "total"), [(0, 100), (101, 100), (-5, 100)])
def test_a_refund_of_nothing_or_of_more_than_was_paid_is_refused(
    alipay: AlipayProvider, amount: int, total: int
) -> None:
    with pytest.raises(ValueError, match="cannot refund"):
        alipay.refund(TRADE_NO, "RF1", amount=amount, total=total)


def test_cancel_closes_the_trade(alipay: AlipayProvider, gateway: FakeAlipay) -> None:
    gateway.answers["alipay.trade.close"] = ok(trade_no=ALIPAY_TRADE_NO, out_trade_no=TRADE_NO)
    alipay.cancel(TRADE_NO)
    assert gateway.requests[-1]["method"] == "alipay.trade.close"
    assert gateway.biz() == {"out_trade_no": TRADE_NO}


def test_cancelling_a_trade_alipay_never_saw_is_fine(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.trade.close"] = business_error("ACQ.TRADE_NOT_EXIST", "交易不存在")
    alipay.cancel(TRADE_NO)


def test_cancelling_a_paid_trade_is_refused(alipay: AlipayProvider, gateway: FakeAlipay) -> None:
    gateway.answers["alipay.trade.close"] = business_error(
        "ACQ.TRADE_STATUS_ERROR", "交易状态不合法"
    )
    with pytest.raises(ProviderRefused) as caught:
        alipay.cancel(TRADE_NO)
    assert caught.value.code == "ACQ.TRADE_STATUS_ERROR"


# --- statements ----------------------------------------------------------------------------------

STATEMENT_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
    "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)


def statement_line(
    provider_id: str, trade_no: str, kind: str, finished: str, amount: str, request_no: str = ""
) -> str:
    values = dict.fromkeys(STATEMENT_HEADER.split(","), "")
    values.update(
        {
            "支付宝交易号": provider_id,
            "商户订单号": trade_no,
            "业务类型": kind,
            "商品名称": "交通违法罚款",
            "完成时间": finished,
            "订单金额（元）": amount,
            "商家实收（元）": amount,
            "退款批次号/请求号": request_no,
        }
    )
    return ",".join(f"{value}\t" for value in values.values())  # real files pad with tabs


STATEMENT_CSV = "\n".join(
    [
        "#支付宝业务明细查询",
        "#账号：[20881021778468800156]",
        "#起始日期：[2024年03月01日 00:00:00]   终止日期：[2024年03月02日 00:00:00]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        STATEMENT_HEADER,
        statement_line(ALIPAY_TRADE_NO, TRADE_NO, "交易", "2024-03-01 10:00:05", "200.00"),
        statement_line(
            ALIPAY_TRADE_NO, TRADE_NO, "退款", "2024-03-01 15:30:00", "-50.00", "RF20240301000001"
        ),
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#交易合计：1笔，商家实收共200.00元，商家优惠共0.00元，支付宝优惠共0.00元",
        "#退款合计：1笔，商家实收共-50.00元，商家优惠共0.00元，支付宝优惠共0.00元",
        "#导出时间：[2024年03月02日 09:12:34]",
    ]
)


def statement_zip(csv_text: str = STATEMENT_CSV) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("20881021778468800156_20240301_业务明细.csv", csv_text.encode("gbk"))
        archive.writestr("20881021778468800156_20240301_业务明细(汇总).csv", "#汇总".encode("gbk"))
    return buffer.getvalue()


def test_the_statement_is_downloaded_and_read_into_rows(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.data.dataservice.bill.downloadurl.query"] = ok(
        bill_download_url=BILL_URL
    )
    gateway.files[BILL_URL] = statement_zip()
    rows = list(alipay.fetch_statement(dt.date(2024, 3, 1)))
    assert gateway.biz() == {"bill_type": "trade", "bill_date": "2024-03-01"}
    paid_at = dt.datetime(2024, 3, 1, 10, 0, 5, tzinfo=BEIJING)
    refunded_at = dt.datetime(2024, 3, 1, 15, 30, tzinfo=BEIJING)
    assert rows == [
        StatementRow(TRADE_NO, ALIPAY_TRADE_NO, 20000, "payment", paid_at),
        StatementRow(TRADE_NO, ALIPAY_TRADE_NO, 5000, "refund", refunded_at),
    ]


def test_a_statement_finds_its_columns_by_name_in_any_order() -> None:
    csv_text = "\n".join(
        [
            "#comment",
            "订单金额(元),业务类型,商户订单号,支付宝交易号,完成时间",
            f"12.30,交易,{TRADE_NO},{ALIPAY_TRADE_NO},",
            f"1.00,其他,{TRADE_NO},{ALIPAY_TRADE_NO},",
        ]
    )
    assert parse_statement_csv(csv_text) == [StatementRow(TRADE_NO, ALIPAY_TRADE_NO, 1230)]


def test_a_statement_for_a_day_without_a_bill_is_refused(
    alipay: AlipayProvider, gateway: FakeAlipay
) -> None:
    gateway.answers["alipay.data.dataservice.bill.downloadurl.query"] = {
        "code": "40004",
        "msg": "Business Failed",
        "sub_code": "isp.bill_not_exist",
        "sub_msg": "账单不存在",
    }
    with pytest.raises(ProviderRefused) as caught:
        alipay.fetch_statement(dt.date(2024, 3, 1))
    assert caught.value.code == "isp.bill_not_exist"


@pytest.mark.parametrize(
    "file",
    [
        pytest.param(b"not a zip", id="not a zip"),
        pytest.param(statement_zip("#only comments"), id="no header"),
        pytest.param(statement_zip("支付宝交易号,商户订单号\n1,2"), id="missing columns"),
        pytest.param(statement_zip(STATEMENT_CSV.replace("200.00", "2百元")), id="a bad amount"),
    ],
)
def test_an_unreadable_statement_makes_the_provider_unavailable(
    alipay: AlipayProvider, gateway: FakeAlipay, file: bytes
) -> None:
    gateway.answers["alipay.data.dataservice.bill.downloadurl.query"] = ok(
        bill_download_url=BILL_URL
    )
    gateway.files[BILL_URL] = file
    with pytest.raises(ProviderUnavailable, match="statement"):
        alipay.fetch_statement(dt.date(2024, 3, 1))


# --- the default transport, against a gateway on the loopback interface ----------------------


class LoopbackGateway(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/slow":
            time.sleep(0.5)
        status = {"/busy": 503, "/teapot": 418}.get(self.path, 200)
        try:
            self.send_response(status)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"busy")
        except OSError:  # the client gave up waiting
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    with serving(LoopbackGateway) as url:
        yield url


def test_the_default_transport_makes_a_busy_gateway_unavailable(keys: Keys, loopback: str) -> None:
    alipay = AlipayProvider(config_for(keys, gateway_url=f"{loopback}/busy"))
    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        alipay.query(TRADE_NO)


def test_the_default_transport_hands_a_4xx_to_the_adapter(keys: Keys, loopback: str) -> None:
    alipay = AlipayProvider(config_for(keys, gateway_url=f"{loopback}/teapot"))
    with pytest.raises(ProviderUnavailable, match="the gateway answered HTTP 418"):
        alipay.query(TRADE_NO)


def test_the_default_transport_gives_up_on_a_slow_gateway(keys: Keys, loopback: str) -> None:
    alipay = AlipayProvider(config_for(keys, gateway_url=f"{loopback}/slow", timeout=0.1))
    with pytest.raises(ProviderUnavailable, match="timed out"):
        alipay.query(TRADE_NO)


def test_the_default_transport_makes_an_unreachable_gateway_unavailable(keys: Keys) -> None:
    with socket.socket() as closed:  # bound but not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        alipay = AlipayProvider(config_for(keys, gateway_url=f"http://127.0.0.1:{port}/"))
        with pytest.raises(ProviderUnavailable):
            alipay.query(TRADE_NO)
