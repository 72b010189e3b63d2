"""The WeChat Pay adapter against a fake v3 gateway that checks our Authorization header with
the merchant's public key and signs its answers with a test platform key, the way WeChat Pay
does, and against notifications encrypted with a test API v3 key."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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
from yiwang.payments.providers.wechat import (
    DEFAULT_BASE_URL,
    WechatConfig,
    WechatProvider,
    parse_tradebill,
)
from yiwang.payments.tests.keys import new_key, private_pem, public_pem, sign_rsa2
from yiwang.payments.tests.loopback import serving

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
API_V3_KEY = b"0123456789abcdefghijABCDEFGHIJ01"
OTHER_API_V3_KEY = b"ZYXWVUTSRQPONMLKJIHGFEDCBA987654"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PLATFORM_SERIAL = "PUB_KEY_ID_0119000001092024030100000000000001"
TRADE_NO = "YW2024030100000000000000001"
TRANSACTION_ID = "4200002024030112345678901234"
NOW = dt.datetime(2024, 3, 1, 2, 0, 6, tzinfo=dt.UTC)
BEIJING = dt.timezone(dt.timedelta(hours=8))
DOWNLOAD_PATH = (
    "/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO"
)


# --- keys ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    merchant: rsa.RSAPrivateKey  # ours (apiclient_key.pem)
    platform: rsa.RSAPrivateKey  # WeChat Pay's
    foreign: rsa.RSAPrivateKey  # anybody else's


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(merchant=new_key(), platform=new_key(), foreign=new_key())


sign = sign_rsa2


def platform_headers(
    key: rsa.RSAPrivateKey,
    body: bytes,
    *,
    at: dt.datetime = NOW,
    serial: str = PLATFORM_SERIAL,
    nonce: str = "593BEC0C930BF1AFEB40B4A08C8FB242",
) -> dict[str, str]:
    """The Wechatpay-* headers over ``timestamp\\nnonce\\nbody\\n``."""
    stamp = str(int(at.timestamp()))
    message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": sign(key, message),
        "Wechatpay-Serial": serial,
    }


# --- the fake gateway ----------------------------------------------------------------------------

AUTHORIZATION = re.compile(r'WECHATPAY2-SHA256-RSA2048 ((?:\w+="[^"]*",?)+)')


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query
    payload: object


class FakeWechat:
    """A callable Transport standing in for api.mch.weixin.qq.com."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self.routes: dict[tuple[str, str], tuple[int, object]] = {}
        self.files: dict[str, bytes] = {}
        self.requests: list[Request] = []
        self.signer = keys.platform
        self.serial = PLATFORM_SERIAL
        self.signed = True

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> HttpResponse:
        assert url.startswith(DEFAULT_BASE_URL)
        target = url.removeprefix(DEFAULT_BASE_URL)
        self.check_authorization(method, target, headers, body)
        self.requests.append(Request(method, target, json.loads(body) if body else None))
        if target in self.files:  # bill files come unsigned
            return HttpResponse(200, {}, self.files[target])
        status, payload = self.routes[(method, target)]
        answer = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        signature = platform_headers(self.signer, answer, serial=self.serial) if self.signed else {}
        return HttpResponse(status, {"Content-Type": "application/json", **signature}, answer)

    def check_authorization(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> None:
        match = AUTHORIZATION.fullmatch(headers["Authorization"])
        assert match is not None, headers["Authorization"]
        fields = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        assert (fields["mchid"], fields["serial_no"]) == (MCHID, MERCHANT_SERIAL)
        assert fields["timestamp"] == str(int(NOW.timestamp()))
        assert len(fields["nonce_str"]) == 32
        message = f"{method}\n{target}\n{fields['timestamp']}\n{fields['nonce_str']}\n".encode()
        self.keys.merchant.public_key().verify(
            base64.b64decode(fields["signature"]),
            message + body + b"\n",
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        assert headers["User-Agent"]
        assert headers["Accept"] == "application/json"

    def answer(self, method: str, target: str, status: int, payload: object = None) -> None:
        self.routes[(method, target)] = (status, payload)


@pytest.fixture
def gateway(keys: Keys) -> FakeWechat:
    return FakeWechat(keys)


def config_for(keys: Keys, **changes: object) -> WechatConfig:
    config = WechatConfig(
        mchid=MCHID,
        appid=APPID,
        api_v3_key=API_V3_KEY,
        merchant_private_key_pem=private_pem(keys.merchant),
        merchant_serial_no=MERCHANT_SERIAL,
        platform_public_key_pem=public_pem(keys.platform),
        platform_serial_no=PLATFORM_SERIAL,
    )
    return replace(config, **changes)  # type: ignore[arg-type]


@pytest.fixture
def wechat(keys: Keys, gateway: FakeWechat) -> WechatProvider:
    return WechatProvider(config_for(keys), gateway, clock=lambda: NOW)


def test_the_adapter_is_a_provider(wechat: WechatProvider) -> None:
    provider: Provider = wechat
    assert provider.name == "wechat"


@pytest.mark.parametrize("key", [b"short", "x" * 31, "x" * 33])
def test_an_api_v3_key_must_be_32_bytes(keys: Keys, key: str | bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        WechatProvider(config_for(keys, api_v3_key=key))


def test_an_api_v3_key_may_be_given_as_text(keys: Keys, gateway: FakeWechat) -> None:
    config = config_for(keys, api_v3_key=API_V3_KEY.decode())
    assert WechatProvider(config, gateway).name == "wechat"


# --- charges -------------------------------------------------------------------------------------

NATIVE = ("POST", "/v3/pay/transactions/native")
CODE_URL = "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"


def charge_request(**changes: object) -> ChargeRequest:
    request = ChargeRequest(
        trade_no=TRADE_NO,
        amount=1234,
        description="交通违法罚款 3201001234567890",
        return_url="https://pay.example.gov.cn/pay/return",
        notify_url="https://pay.example.gov.cn/pay/notify/wechat",
        expires_at=dt.datetime(2024, 3, 1, 3, 30, tzinfo=dt.UTC),
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def test_a_native_order_carries_the_amount_in_fen_under_a_valid_authorization(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*NATIVE, 200, {"code_url": CODE_URL})
    wechat.create_charge(charge_request())
    assert gateway.requests[-1].payload == {
        "appid": APPID,
        "mchid": MCHID,
        "description": "交通违法罚款 3201001234567890",
        "out_trade_no": TRADE_NO,
        "time_expire": "2024-03-01T11:30:00+08:00",
        "notify_url": "https://pay.example.gov.cn/pay/notify/wechat",
        "amount": {"total": 1234, "currency": "CNY"},
    }


def test_the_qr_code_content_is_where_the_payer_goes(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*NATIVE, 200, {"code_url": CODE_URL})
    assert wechat.create_charge(charge_request()).next_url == CODE_URL


def test_a_charge_without_an_aware_expiry_is_refused(wechat: WechatProvider) -> None:
    with pytest.raises(ValueError, match="aware expiry"):
        wechat.create_charge(charge_request(expires_at=dt.datetime(2024, 3, 1, 11, 30)))


@pytest.mark.parametrize("how", ["foreign key", "another serial", "a tampered body"])
def test_an_order_answer_not_signed_by_wechat_makes_the_provider_unavailable(
    keys: Keys, gateway: FakeWechat, how: str
) -> None:
    def tampering(method: str, url: str, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        answer = gateway(method, url, headers, body)
        return replace(answer, body=answer.body.replace(b"p4lp", b"evil"))

    if how == "foreign key":
        gateway.signer = keys.foreign
    elif how == "another serial":
        gateway.serial = "PUB_KEY_ID_OTHER"
    wechat = WechatProvider(
        config_for(keys), tampering if how == "a tampered body" else gateway, clock=lambda: NOW
    )
    gateway.answer(*NATIVE, 200, {"code_url": CODE_URL})
    with pytest.raises(ProviderUnavailable, match="signature"):
        wechat.create_charge(charge_request())


def test_an_unsigned_order_answer_is_not_trusted(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*NATIVE, 200, {"code_url": CODE_URL})
    gateway.signed = False
    with pytest.raises(ProviderUnavailable, match="not trusted"):
        wechat.create_charge(charge_request())


def test_an_order_refused_for_our_own_signature_is_a_refusal_even_unsigned(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*NATIVE, 401, {"code": "SIGN_ERROR", "message": "签名错误"})
    gateway.signed = False
    with pytest.raises(ProviderRefused) as caught:
        wechat.create_charge(charge_request())
    assert (caught.value.code, caught.value.message) == ("SIGN_ERROR", "签名错误")


# --- notifications -------------------------------------------------------------------------------


def transaction(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "mchid": MCHID,
        "appid": APPID,
        "out_trade_no": TRADE_NO,
        "transaction_id": TRANSACTION_ID,
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "attach": "",
        "success_time": "2024-03-01T10:00:05+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {
            "total": 20000,
            "payer_total": 20000,
            "currency": "CNY",
            "payer_currency": "CNY",
        },
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def resource(
    plaintext: bytes, *, key: bytes = API_V3_KEY, associated: str = "transaction"
) -> dict[str, object]:
    nonce = "fdasflkja484"
    ciphertext = AESGCM(key).encrypt(nonce.encode(), plaintext, associated.encode())
    return {
        "original_type": "transaction",
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated,
        "nonce": nonce,
    }


def envelope(encrypted: dict[str, object], **changes: object) -> bytes:
    fields: dict[str, object] = {
        "id": "EV-2018022511223320873",
        "create_time": "2024-03-01T10:00:06+08:00",
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS",
        "summary": "支付成功",
        "resource": encrypted,
    }
    fields.update(changes)
    return json.dumps(fields, ensure_ascii=False).encode()


def notification_body(**changes: object) -> bytes:
    return envelope(resource(json.dumps(transaction(**changes)).encode()))


def notify(wechat: WechatProvider, keys: Keys, body: bytes, at: dt.datetime = NOW) -> ProviderEvent:
    return wechat.verify_and_parse_notification(platform_headers(keys.platform, body, at=at), body)


def refusal(wechat: WechatProvider, headers: Mapping[str, str], body: bytes) -> str:
    with pytest.raises(InvalidNotification) as caught:
        wechat.verify_and_parse_notification(headers, body)
    return caught.value.code


def signed_refusal(wechat: WechatProvider, keys: Keys, body: bytes) -> str:
    return refusal(wechat, platform_headers(keys.platform, body), body)


def test_a_good_notification_parses_to_a_success_event(wechat: WechatProvider, keys: Keys) -> None:
    event = notify(wechat, keys, notification_body())
    assert event.notification_id == "EV-2018022511223320873"
    assert (event.trade_no, event.provider_id) == (TRADE_NO, TRANSACTION_ID)
    assert event.status is ProviderStatus.SUCCESS
    assert event.amount == 20000
    assert event.paid_at == dt.datetime(2024, 3, 1, 2, 0, 5, tzinfo=dt.UTC)
    assert event.raw["event_type"] == "TRANSACTION.SUCCESS"


@pytest.mark.parametrize(
    ("trade_state", "status"),
    [
        ("SUCCESS", ProviderStatus.SUCCESS),
        ("NOTPAY", ProviderStatus.PENDING),
        ("USERPAYING", ProviderStatus.PENDING),
        ("CLOSED", ProviderStatus.CLOSED),
        ("REVOKED", ProviderStatus.CLOSED),
        ("PAYERROR", ProviderStatus.DECLINED),
    ],
)
def test_each_trade_state_becomes_our_status(
    wechat: WechatProvider, keys: Keys, trade_state: str, status: ProviderStatus
) -> None:
    body = notification_body(trade_state=trade_state, success_time=None)
    assert notify(wechat, keys, body).status is status


def test_signature_header_names_are_read_in_any_case(wechat: WechatProvider, keys: Keys) -> None:
    body = notification_body()
    headers = {name.lower(): value for name, value in platform_headers(keys.platform, body).items()}
    assert wechat.verify_and_parse_notification(headers, body).amount == 20000


def test_a_notification_a_little_off_the_clock_is_accepted(
    wechat: WechatProvider, keys: Keys
) -> None:
    for skew in (dt.timedelta(minutes=-4), dt.timedelta(minutes=4)):
        assert notify(wechat, keys, notification_body(), at=NOW + skew).amount == 20000


def test_a_notification_with_a_tampered_body_is_refused(wechat: WechatProvider, keys: Keys) -> None:
    body = notification_body()
    headers = platform_headers(keys.platform, body)
    tampered = body.replace(b"EV-2018", b"EV-2019")
    assert refusal(wechat, headers, tampered) == "bad_signature"


def test_a_notification_with_a_tampered_signature_is_refused(
    wechat: WechatProvider, keys: Keys
) -> None:
    body = notification_body()
    headers = platform_headers(keys.platform, body)
    signature = bytearray(base64.b64decode(headers["Wechatpay-Signature"]))
    signature[0] ^= 1
    headers["Wechatpay-Signature"] = base64.b64encode(bytes(signature)).decode()
    assert refusal(wechat, headers, body) == "bad_signature"


def test_a_notification_with_a_tampered_timestamp_is_refused(
    wechat: WechatProvider, keys: Keys
) -> None:
    body = notification_body()
    headers = platform_headers(keys.platform, body)
    headers["Wechatpay-Timestamp"] = str(int(headers["Wechatpay-Timestamp"]) + 1)
    assert refusal(wechat, headers, body) == "bad_signature"


def test_a_notification_signed_with_a_foreign_key_is_refused(
    wechat: WechatProvider, keys: Keys
) -> None:
    body = notification_body()
    assert refusal(wechat, platform_headers(keys.foreign, body), body) == "bad_signature"


def test_a_notification_signed_under_another_serial_is_refused(
    wechat: WechatProvider, keys: Keys
) -> None:
    body = notification_body()
    headers = platform_headers(keys.platform, body, serial="PUB_KEY_ID_OTHER")
    assert refusal(wechat, headers, body) == "bad_signature"


@pytest.mark.parametrize(
    "header", ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"]
)
def test_a_notification_missing_a_signature_header_is_refused(
    wechat: WechatProvider, keys: Keys, header: str
) -> None:
    body = notification_body()
    headers = platform_headers(keys.platform, body)
    del headers[header]
    assert refusal(wechat, headers, body) == "bad_signature"


@pytest.mark.parametrize("stamp", ["soon", "-1", "1e9", "９９"])
def test_a_notification_whose_timestamp_is_not_a_unix_time_is_refused(
    wechat: WechatProvider, keys: Keys, stamp: str
) -> None:
    body = notification_body()
    headers = {**platform_headers(keys.platform, body), "Wechatpay-Timestamp": stamp}
    assert refusal(wechat, headers, body) == "bad_signature"


@pytest.mark.parametrize("skew", [dt.timedelta(minutes=-6), dt.timedelta(minutes=6)])
def test_a_stale_notification_is_refused(
    wechat: WechatProvider, keys: Keys, skew: dt.timedelta
) -> None:
    body = notification_body()
    assert refusal(wechat, platform_headers(keys.platform, body, at=NOW + skew), body) == "stale"


def test_a_notification_with_a_bad_ciphertext_does_not_decrypt(
    wechat: WechatProvider, keys: Keys
) -> None:
    encrypted = resource(json.dumps(transaction()).encode())
    data = bytearray(base64.b64decode(str(encrypted["ciphertext"])))
    data[5] ^= 1
    body = envelope({**encrypted, "ciphertext": base64.b64encode(bytes(data)).decode()})
    assert signed_refusal(wechat, keys, body) == "decryption_failed"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"ciphertext": "not base64!"}, id="not base64"),
        pytest.param({"associated_data": "refund"}, id="wrong associated data"),
        pytest.param({"associated_data": ""}, id="no associated data"),
        pytest.param({"nonce": "another12345"}, id="wrong nonce"),
        pytest.param({"nonce": ""}, id="empty nonce"),
    ],
)
def test_a_notification_with_altered_encryption_parameters_does_not_decrypt(
    wechat: WechatProvider, keys: Keys, changes: dict[str, object]
) -> None:
    encrypted = resource(json.dumps(transaction()).encode())
    body = envelope({**encrypted, **changes})
    assert signed_refusal(wechat, keys, body) == "decryption_failed"


def test_a_notification_encrypted_with_another_key_does_not_decrypt(
    wechat: WechatProvider, keys: Keys
) -> None:
    body = envelope(resource(json.dumps(transaction()).encode(), key=OTHER_API_V3_KEY))
    assert signed_refusal(wechat, keys, body) == "decryption_failed"


@pytest.mark.parametrize(
    "changes",
    [{"mchid": "1900000999"}, {"appid": "wx0000000000000000"}],
    ids=["another merchant", "another app"],
)
def test_a_notification_for_another_merchant_is_refused(
    wechat: WechatProvider, keys: Keys, changes: dict[str, object]
) -> None:
    assert signed_refusal(wechat, keys, notification_body(**changes)) == "wrong_merchant"


def test_a_notification_with_an_unknown_trade_state_is_refused(
    wechat: WechatProvider, keys: Keys
) -> None:
    body = notification_body(trade_state="ACCEPT")
    assert signed_refusal(wechat, keys, body) == "unknown_status"


def test_a_refund_notification_is_not_a_payment_event(wechat: WechatProvider, keys: Keys) -> None:
    encrypted = resource(json.dumps(transaction()).encode())
    body = envelope(encrypted, event_type="REFUND.SUCCESS")
    assert signed_refusal(wechat, keys, body) == "unknown_status"


def plain_resource(plaintext: bytes) -> bytes:
    return envelope(resource(plaintext))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"id=EV-1&event_type=TRANSACTION.SUCCESS", id="a form"),
        pytest.param(b'{"id": "EV-1", ', id="broken json"),
        pytest.param(b"[1, 2]", id="a json array"),
        pytest.param(b'{"id": "\xff\xfe"}', id="not utf-8"),
        pytest.param(b'{"id": "EV-1", "event_type": "TRANSACTION.SUCCESS"}', id="no resource"),
        pytest.param(b'{"id": "' + b"x" * 70_000 + b'"}', id="huge"),
        pytest.param(
            envelope({**resource(b"{}"), "algorithm": "AEAD_AES_128_GCM"}), id="another algorithm"
        ),
        pytest.param(envelope({**resource(b"{}"), "nonce": 12}), id="a nonce that is a number"),
        pytest.param(plain_resource(b"not json"), id="a plaintext that is not json"),
        pytest.param(plain_resource(b'"a string"'), id="a plaintext that is not an object"),
        pytest.param(notification_body(out_trade_no=None), id="no out_trade_no"),
        pytest.param(notification_body(trade_state=None), id="no trade_state"),
        pytest.param(notification_body(mchid=None), id="no mchid"),
        pytest.param(notification_body(amount=None), id="no amount"),
        pytest.param(notification_body(amount={"total": "200.00"}), id="an amount as text"),
        pytest.param(notification_body(amount={"total": 12.5}), id="an amount as a float"),
        pytest.param(notification_body(amount={"total": True}), id="an amount as a boolean"),
        pytest.param(notification_body(amount={"total": -1}), id="a negative amount"),
        pytest.param(notification_body(amount={"total": 10**30}), id="a huge amount"),
        pytest.param(notification_body(amount={"total": 100, "currency": "USD"}), id="not in CNY"),
        pytest.param(notification_body(success_time="yesterday"), id="a bad success_time"),
        pytest.param(
            notification_body(success_time="2024-03-01T10:00:05"), id="a time without offset"
        ),
        pytest.param(notification_body(out_trade_no="Y" * 65), id="a huge trade number"),
        pytest.param(envelope(resource(json.dumps(transaction()).encode()), id=None), id="no id"),
    ],
)
def test_a_signed_but_malformed_notification_is_refused(
    wechat: WechatProvider, keys: Keys, body: bytes
) -> None:
    assert signed_refusal(wechat, keys, body) == "malformed"


def test_wechat_is_told_204_on_success_and_fail_otherwise(wechat: WechatProvider) -> None:
    assert (wechat.ack(True).status, wechat.ack(True).body) == (204, b"")
    failure = wechat.ack(False)
    assert failure.status == 500
    assert json.loads(failure.body) == {"code": "FAIL", "message": "failure"}
    assert failure.content_type == "application/json"


# --- query, refund, cancel -----------------------------------------------------------------------

QUERY = ("GET", f"/v3/pay/transactions/out-trade-no/{TRADE_NO}?mchid={MCHID}")


def test_a_query_of_a_paid_order_says_success_with_the_amount(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*QUERY, 200, transaction())
    result = wechat.query(TRADE_NO)
    assert (result.status, result.amount) == (ProviderStatus.SUCCESS, 20000)
    assert result.provider_id == TRANSACTION_ID
    assert result.paid_at == dt.datetime(2024, 3, 1, 10, 0, 5, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("trade_state", "status"),
    [
        ("NOTPAY", ProviderStatus.PENDING),
        ("PAYERROR", ProviderStatus.DECLINED),
        ("CLOSED", ProviderStatus.CLOSED),
        ("REFUND", ProviderStatus.SUCCESS),
    ],
)
def test_a_query_maps_the_trade_state(
    wechat: WechatProvider, gateway: FakeWechat, trade_state: str, status: ProviderStatus
) -> None:
    answer = transaction(trade_state=trade_state, amount=None, success_time=None)
    gateway.answer(*QUERY, 200, answer)
    result = wechat.query(TRADE_NO)
    assert (result.status, result.amount) == (status, None)


def test_the_trade_number_is_quoted_in_the_signed_path(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    odd = "YW 2024/03*01"
    target = f"/v3/pay/transactions/out-trade-no/YW%202024%2F03%2A01?mchid={MCHID}"
    gateway.answer("GET", target, 200, transaction(out_trade_no=odd))
    assert wechat.query(odd).trade_no == odd


def test_a_query_of_an_order_wechat_never_saw_says_not_found(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*QUERY, 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
    assert wechat.query(TRADE_NO).status is ProviderStatus.NOT_FOUND


def test_an_unsigned_not_found_is_not_trusted(wechat: WechatProvider, gateway: FakeWechat) -> None:
    gateway.answer(*QUERY, 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
    gateway.signed = False
    with pytest.raises(ProviderUnavailable, match="not trusted"):
        wechat.query(TRADE_NO)


def test_an_answer_about_another_order_is_not_taken(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*QUERY, 200, transaction(out_trade_no="YW-someone-else"))
    with pytest.raises(ProviderUnavailable, match="another order"):
        wechat.query(TRADE_NO)


def test_a_bad_request_is_a_refusal_with_wechats_reason(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*QUERY, 400, {"code": "PARAM_ERROR", "message": "参数错误"})
    with pytest.raises(ProviderRefused) as caught:
        wechat.query(TRADE_NO)
    assert caught.value.code == "PARAM_ERROR"


@pytest.mark.parametrize(
    ("status", "code"), [(429, "FREQUENCY_LIMITED"), (500, "SYSTEM_ERROR"), (502, "")]
)
def test_a_busy_or_broken_gateway_makes_the_provider_unavailable(
    wechat: WechatProvider, gateway: FakeWechat, status: int, code: str
) -> None:
    gateway.answer(*QUERY, status, {"code": code, "message": "稍后再试"})
    with pytest.raises(ProviderUnavailable, match=f"HTTP {status}"):
        wechat.query(TRADE_NO)


def test_an_error_answer_that_is_not_json_makes_the_provider_unavailable(
    keys: Keys,
) -> None:
    def proxy_page(method: str, url: str, headers: Mapping[str, str], body: bytes) -> HttpResponse:
        return HttpResponse(403, {}, b"<html>Forbidden</html>")

    wechat = WechatProvider(config_for(keys), proxy_page, clock=lambda: NOW)
    with pytest.raises(ProviderUnavailable, match="unreadable"):
        wechat.query(TRADE_NO)


REFUND = ("POST", "/v3/refund/domestic/refunds")


def refund_answer(status: str) -> dict[str, object]:
    return {
        "refund_id": "50000000382019052709732678859",
        "out_refund_no": "RF20240301000001",
        "transaction_id": TRANSACTION_ID,
        "out_trade_no": TRADE_NO,
        "channel": "ORIGINAL",
        "status": status,
        "amount": {"total": 20000, "refund": 5000, "currency": "CNY"},
    }


def test_a_refund_sends_both_amounts_in_fen_under_our_refund_number(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*REFUND, 200, refund_answer("PROCESSING"))
    result = wechat.refund(TRADE_NO, "RF20240301000001", amount=5000, total=20000)
    assert (result.accepted, result.provider_refund_id) == (True, "50000000382019052709732678859")
    assert gateway.requests[-1].payload == {
        "out_trade_no": TRADE_NO,
        "out_refund_no": "RF20240301000001",
        "amount": {"refund": 5000, "total": 20000, "currency": "CNY"},
    }


@pytest.mark.parametrize(
    ("status", "accepted"),
    [("SUCCESS", True), ("PROCESSING", True), ("ABNORMAL", False), ("CLOSED", False)],
)
def test_a_refund_is_accepted_unless_it_went_abnormal_or_closed(
    wechat: WechatProvider, gateway: FakeWechat, status: str, accepted: bool
) -> None:
    gateway.answer(*REFUND, 200, refund_answer(status))
    result = wechat.refund(TRADE_NO, "RF20240301000001", amount=5000, total=20000)
    assert result.accepted is accepted
    assert result.error == ("" if accepted else status)


def test_a_refused_refund_says_why(wechat: WechatProvider, gateway: FakeWechat) -> None:
    gateway.answer(*REFUND, 403, {"code": "NOT_ENOUGH", "message": "基本账户余额不足"})
    result = wechat.refund(TRADE_NO, "RF20240301000001", amount=5000, total=20000)
    assert (result.accepted, result.error) == (False, "NOT_ENOUGH: 基本账户余额不足")


def test_a_refund_the_gateway_is_too_busy_for_is_for_later(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*REFUND, 500, {"code": "SYSTEM_ERROR", "message": "系统超时"})
    with pytest.raises(ProviderUnavailable):
        wechat.refund(TRADE_NO, "RF20240301000001", amount=5000, total=20000)


@pytest.mark.parametrize(("amount", "total"), [(0, 100), (101, 100)])
def test_a_refund_of_nothing_or_of_more_than_was_paid_is_refused(
    wechat: WechatProvider, amount: int, total: int
) -> None:
    with pytest.raises(ValueError, match="cannot refund"):
        wechat.refund(TRADE_NO, "RF1", amount=amount, total=total)


CLOSE = ("POST", f"/v3/pay/transactions/out-trade-no/{TRADE_NO}/close")


def test_cancel_closes_the_order(wechat: WechatProvider, gateway: FakeWechat) -> None:
    gateway.answer(*CLOSE, 204)
    wechat.cancel(TRADE_NO)
    assert gateway.requests[-1].payload == {"mchid": MCHID}


@pytest.mark.parametrize(("status", "code"), [(404, "ORDER_NOT_EXIST"), (400, "ORDER_CLOSED")])
def test_cancelling_an_order_that_is_not_open_is_fine(
    wechat: WechatProvider, gateway: FakeWechat, status: int, code: str
) -> None:
    gateway.answer(*CLOSE, status, {"code": code, "message": "…"})
    wechat.cancel(TRADE_NO)


def test_cancelling_a_paid_order_is_refused(wechat: WechatProvider, gateway: FakeWechat) -> None:
    gateway.answer(*CLOSE, 400, {"code": "ORDER_PAID", "message": "订单已支付"})
    with pytest.raises(ProviderRefused) as caught:
        wechat.cancel(TRADE_NO)
    assert caught.value.code == "ORDER_PAID"


# --- statements ----------------------------------------------------------------------------------

BILL = ("GET", "/v3/bill/tradebill?bill_date=2024-03-01&bill_type=ALL")
BILL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
    "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
    "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)


def bill_line(at: str, state: str, paid: str, refunded: str, trade_no: str = TRADE_NO) -> str:
    values = dict.fromkeys(BILL_HEADER.split(","), "")
    values.update(
        {
            "交易时间": at,
            "公众账号ID": APPID,
            "商户号": MCHID,
            "特约商户号": "0",
            "微信订单号": TRANSACTION_ID,
            "商户订单号": trade_no,
            "交易类型": "NATIVE",
            "交易状态": state,
            "货币种类": "CNY",
            "应结订单金额": paid,
            "订单金额": paid,
            "退款金额": refunded,
            "申请退款金额": refunded,
            "商品名称": "交通违法罚款",
        }
    )
    return ",".join(f"`{value}" for value in values.values())


BILL_CSV = "\n".join(
    [
        BILL_HEADER,
        bill_line("2024-03-01 10:00:05", "SUCCESS", "200.00", "0.00"),
        bill_line("2024-03-01 15:30:00", "REFUND", "0.00", "50.00"),
        bill_line("2024-03-01 16:00:00", "REVOKED", "0.00", "0.00", trade_no="YW-revoked"),
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
        "`3,`200.00,`50.00,`0.00,`0.00000,`200.00,`50.00",
    ]
).encode()


def bill_answer(data: bytes) -> dict[str, object]:
    return {
        "hash_type": "SHA1",
        "hash_value": hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        "download_url": DEFAULT_BASE_URL + DOWNLOAD_PATH,
    }


def test_the_bill_is_downloaded_with_a_signed_request_and_read_into_rows(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*BILL, 200, bill_answer(BILL_CSV))
    gateway.files[DOWNLOAD_PATH] = BILL_CSV
    rows = list(wechat.fetch_statement(dt.date(2024, 3, 1)))
    assert gateway.requests[-1].target == DOWNLOAD_PATH  # the fake checked its Authorization
    assert rows == [
        StatementRow(
            TRADE_NO,
            TRANSACTION_ID,
            20000,
            "payment",
            dt.datetime(2024, 3, 1, 10, 0, 5, tzinfo=BEIJING),
        ),
        StatementRow(
            TRADE_NO,
            TRANSACTION_ID,
            5000,
            "refund",
            dt.datetime(2024, 3, 1, 15, 30, tzinfo=BEIJING),
        ),
    ]


def test_an_older_bill_without_the_new_amount_columns_is_read_from_the_old_ones() -> None:
    text = "\n".join(
        [
            "交易时间,微信订单号,商户订单号,交易状态,应结订单金额,退款金额",
            f"`2024-03-01 10:00:05,`{TRANSACTION_ID},`{TRADE_NO},`SUCCESS,`12.30,`0.00",
        ]
    )
    assert [row.amount for row in parse_tradebill("\ufeff" + text)] == [1230]


def test_a_bill_whose_file_does_not_match_its_hash_is_not_taken(
    wechat: WechatProvider, gateway: FakeWechat
) -> None:
    gateway.answer(*BILL, 200, bill_answer(BILL_CSV))
    gateway.files[DOWNLOAD_PATH] = BILL_CSV.replace(b"200.00", b"2.00")
    with pytest.raises(ProviderUnavailable, match="SHA1"):
        wechat.fetch_statement(dt.date(2024, 3, 1))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param("交易时间,微信订单号\n`1,`2".encode(), id="missing columns"),
        pytest.param(BILL_CSV.replace(b"`200.00", b"`2e2"), id="a bad amount"),
        pytest.param(BILL_CSV.replace(b"`2024-03-01 10", b"`yesterday 10"), id="a bad time"),
        pytest.param(b"\xff\xfe\x00", id="not utf-8"),
    ],
)
def test_an_unreadable_bill_makes_the_provider_unavailable(
    wechat: WechatProvider, gateway: FakeWechat, data: bytes
) -> None:
    gateway.answer(*BILL, 200, bill_answer(data))
    gateway.files[DOWNLOAD_PATH] = data
    with pytest.raises(ProviderUnavailable, match="bill"):
        wechat.fetch_statement(dt.date(2024, 3, 1))


def test_a_day_without_a_bill_is_a_refusal(wechat: WechatProvider, gateway: FakeWechat) -> None:
    gateway.answer(*BILL, 400, {"code": "NO_STATEMENT_EXIST", "message": "账单文件不存在"})
    with pytest.raises(ProviderRefused) as caught:
        wechat.fetch_statement(dt.date(2024, 3, 1))
    assert caught.value.code == "NO_STATEMENT_EXIST"


# --- the default transport, against a gateway on the loopback interface ----------------------


class LoopbackGateway(BaseHTTPRequestHandler):
    """Answers every request the way v3 refuses a request it cannot read (unsigned 400)."""

    def do_GET(self) -> None:
        body = json.dumps({"code": "PARAM_ERROR", "message": "mchid is required"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    with serving(LoopbackGateway) as url:
        yield url


def test_the_default_transport_hands_a_4xx_answer_to_the_adapter(keys: Keys, loopback: str) -> None:
    wechat = WechatProvider(config_for(keys, base_url=loopback))
    with pytest.raises(ProviderRefused) as caught:
        wechat.query(TRADE_NO)
    assert (caught.value.code, caught.value.message) == ("PARAM_ERROR", "mchid is required")
