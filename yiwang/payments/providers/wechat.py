"""WeChat-Pay-v3-style adapter: JSON over HTTPS, RSA request/response signatures, AES-GCM
encrypted notification resources.

What the rules are and where they come from: ``yiwang/payments/providers.md``. In short: each
request carries ``Authorization: WECHATPAY2-SHA256-RSA2048 …`` signed with the merchant key over
``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n``; each answer and notification is signed by
the platform key over ``TIMESTAMP\\nNONCE\\nBODY\\n`` (``Wechatpay-*`` headers); the transaction
inside a notification is encrypted with the merchant's 32-byte API v3 key.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import hashlib
import io
import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import rsa2
from .base import (
    Ack,
    Charge,
    ChargeRequest,
    HttpResponse,
    InvalidNotification,
    ProviderEvent,
    ProviderRefused,
    ProviderStatus,
    ProviderUnavailable,
    QueryResult,
    RefundResult,
    StatementRow,
    Transport,
)
from .http import header, urllib_transport
from .money import MAX_FEN, fen_from_yuan

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)  # WeChat Pay's advice for notification timestamps
MAX_NOTIFICATION_BYTES = 64 * 1024
DESCRIPTION_MAX_CHARS = 127  # WeChat Pay's limit for ``description``
USER_AGENT = "yiwang-payments/1.0"

_STATUSES = {
    "SUCCESS": ProviderStatus.SUCCESS,
    "REFUND": ProviderStatus.SUCCESS,  # paid, then (partly) refunded: the payment did happen
    "NOTPAY": ProviderStatus.PENDING,
    "USERPAYING": ProviderStatus.PENDING,  # waiting for the payer's password
    "CLOSED": ProviderStatus.CLOSED,
    "REVOKED": ProviderStatus.CLOSED,
    "PAYERROR": ProviderStatus.DECLINED,
}
_REFUND_ACCEPTED = frozenset({"SUCCESS", "PROCESSING"})
_NOTHING_TO_CLOSE = frozenset({"ORDER_NOT_EXIST", "ORDER_CLOSED"})
_ACK_FAILURE = b'{"code":"FAIL","message":"failure"}'


@dataclass(frozen=True)
class WechatConfig:
    mchid: str
    appid: str
    api_v3_key: str | bytes  # the 32-character APIv3 key set in the merchant console
    merchant_private_key_pem: str  # apiclient_key.pem
    merchant_serial_no: str  # the serial number of the merchant API certificate
    platform_public_key_pem: str  # WeChat Pay's public key (微信支付公钥), in place of certificates
    platform_serial_no: str  # its id (PUB_KEY_ID_…), as sent in Wechatpay-Serial
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 10.0


@dataclass(frozen=True)
class _Reply:
    """A gateway answer: its status, its JSON object (empty for 204), whether it was signed."""

    status: int
    data: Mapping[str, object] = field(default_factory=dict)
    signed: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str:
        return _text(self.data, "code")

    @property
    def message(self) -> str:
        return _text(self.data, "message")


class _BadSignature(Exception):
    pass


class WechatProvider:
    name: str = "wechat"

    def __init__(
        self,
        config: WechatConfig,
        transport: Transport | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        key = config.api_v3_key
        self._api_v3_key = key.encode("ascii") if isinstance(key, str) else key
        if len(self._api_v3_key) != 32:
            raise ValueError("the WeChat Pay API v3 key must be 32 bytes")
        self.config = config
        self._private_key = rsa2.load_private_key(
            config.merchant_private_key_pem, "The merchant key"
        )
        self._platform_key = rsa2.load_public_key(
            config.platform_public_key_pem, "The WeChat Pay public key"
        )
        self._transport = transport or urllib_transport(config.timeout)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # --- charges ------------------------------------------------------------------------------

    def create_charge(self, request: ChargeRequest) -> Charge:
        """A Native order: the answer's ``code_url`` is the QR code's content.

        ``return_url`` has no place in a Native order: the payer stays on our page, which
        polls our own status endpoint.
        """
        if request.amount <= 0 or request.expires_at.tzinfo is None:
            raise ValueError("a charge needs a positive amount and an aware expiry time")
        order = {
            "appid": self.config.appid,
            "mchid": self.config.mchid,
            "description": request.description[:DESCRIPTION_MAX_CHARS],
            "out_trade_no": request.trade_no,
            "time_expire": request.expires_at.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
            "notify_url": request.notify_url,
            "amount": {"total": request.amount, "currency": "CNY"},
        }
        reply = self._api("POST", "/v3/pay/transactions/native", order)
        _raise_for(reply)
        code_url = _text(reply.data, "code_url")
        if not code_url:
            raise ProviderUnavailable("the order answer carries no code_url")
        return Charge(next_url=code_url)

    def query(self, trade_no: str) -> QueryResult:
        path = f"{_order_path(trade_no)}?{urlencode({'mchid': self.config.mchid})}"
        reply = self._api("GET", path)
        if reply.status == 404 and reply.code == "ORDER_NOT_EXIST":
            _require_signed(reply)
            return QueryResult(trade_no=trade_no, status=ProviderStatus.NOT_FOUND)
        _raise_for(reply)
        return _query_result(trade_no, reply.data)

    def refund(self, trade_no: str, refund_no: str, amount: int, total: int) -> RefundResult:
        """Refund ``amount`` 分. ``out_refund_no`` makes a re-sent refund the same refund."""
        if not 0 < amount <= total:
            raise ValueError(f"cannot refund {amount} of {total}")
        payload = {
            "out_trade_no": trade_no,
            "out_refund_no": refund_no,
            "amount": {"refund": amount, "total": total, "currency": "CNY"},
        }
        reply = self._api("POST", "/v3/refund/domestic/refunds", payload)
        if not reply.ok:
            return RefundResult(accepted=False, error=f"{reply.code}: {reply.message}")
        status = _text(reply.data, "status")
        refund_id = _text(reply.data, "refund_id")
        if status in _REFUND_ACCEPTED:
            return RefundResult(accepted=True, provider_refund_id=refund_id)
        # CLOSED, or ABNORMAL (the payer's account refused the money): a person must look.
        return RefundResult(accepted=False, provider_refund_id=refund_id, error=status)

    def cancel(self, trade_no: str) -> None:
        """Close an unpaid order; an order WeChat never saw or already closed is fine."""
        reply = self._api("POST", f"{_order_path(trade_no)}/close", {"mchid": self.config.mchid})
        if not reply.ok and reply.code in _NOTHING_TO_CLOSE:
            _require_signed(reply)
            return
        _raise_for(reply)

    def fetch_statement(self, day: dt.date) -> Iterable[StatementRow]:
        """The trade bill (交易账单, type ALL) of ``day``; ready from about 10:00 the next day."""
        query = urlencode({"bill_date": day.isoformat(), "bill_type": "ALL"})
        reply = self._api("GET", f"/v3/bill/tradebill?{query}")
        _raise_for(reply)
        url = _text(reply.data, "download_url")
        if not url:
            raise ProviderUnavailable("the bill answer carries no download_url")
        # The file itself is not signed (it may be large); the signed answer gives its hash.
        response = self._send("GET", url, b"")
        if response.status != 200:
            raise ProviderUnavailable(f"bill download answered HTTP {response.status}")
        digest = hashlib.sha1(response.body, usedforsecurity=False).hexdigest()
        if digest != _text(reply.data, "hash_value").lower():
            raise ProviderUnavailable("the bill file does not match its SHA1 hash")
        try:
            return parse_tradebill(response.body.decode("utf-8-sig"))
        except ValueError as error:
            raise ProviderUnavailable(f"unreadable bill file: {error}") from error

    # --- notifications ------------------------------------------------------------------------

    def verify_and_parse_notification(
        self, headers: Mapping[str, str], body: bytes
    ) -> ProviderEvent:
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise InvalidNotification("malformed", f"a notification body of {len(body)} bytes")
        try:
            stamp = self._verify_signature(headers, body)
        except _BadSignature as error:
            raise InvalidNotification("bad_signature", str(error)) from error
        if abs(self._clock() - stamp) > MAX_CLOCK_SKEW:
            raise InvalidNotification("stale", "the notification's timestamp is too far from now")
        envelope = _notification_json(body)
        transaction = self._decrypt(_object(envelope, "resource"))
        for name in ("mchid", "appid"):
            if _notification_text(transaction, name) != getattr(self.config, name):
                raise InvalidNotification(
                    "wrong_merchant", f"the notification's {name} is not ours"
                )
        return _event(envelope, transaction)

    def ack(self, ok: bool) -> Ack:
        # 204 without a body is what the v3 docs ask for; any other answer makes WeChat re-send.
        if ok:
            return Ack(status=204, body=b"", content_type="application/json")
        return Ack(status=500, body=_ACK_FAILURE, content_type="application/json")

    def _decrypt(self, resource: Mapping[str, object]) -> dict[str, object]:
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise InvalidNotification("malformed", "the resource is not AEAD_AES_256_GCM")
        associated = resource.get("associated_data", "")
        ciphertext, nonce = resource.get("ciphertext"), resource.get("nonce")
        if not (isinstance(ciphertext, str) and isinstance(nonce, str)):
            raise InvalidNotification("malformed", "the resource lacks ciphertext or nonce")
        if not isinstance(associated, str):
            raise InvalidNotification("malformed", "associated_data is not a string")
        try:
            data = base64.b64decode(ciphertext, validate=True)
            plain = AESGCM(self._api_v3_key).decrypt(nonce.encode(), data, associated.encode())
        except (InvalidTag, binascii.Error, ValueError) as error:
            raise InvalidNotification(
                "decryption_failed", "the resource does not decrypt"
            ) from error
        return _notification_json(plain)

    # --- signatures ---------------------------------------------------------------------------

    def _verify_signature(self, headers: Mapping[str, str], body: bytes) -> dt.datetime:
        """Check a platform signature; return its timestamp. Raises _BadSignature."""
        names = ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature")
        stamp, nonce, signature = (header(headers, name) or "" for name in names)
        if not (stamp and nonce and signature):
            raise _BadSignature("the Wechatpay-* signature headers are missing")
        if header(headers, "Wechatpay-Serial") != self.config.platform_serial_no:
            raise _BadSignature("signed with a key we do not know (Wechatpay-Serial)")
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
            raise _BadSignature("Wechatpay-Timestamp is not a Unix time")
        message = b"%s\n%s\n%s\n" % (stamp.encode(), nonce.encode(), body)
        if not rsa2.verifies(self._platform_key, message, signature):
            raise _BadSignature("the signature does not verify")
        return dt.datetime.fromtimestamp(int(stamp), dt.UTC)

    def _authorization(self, method: str, url: str, body: bytes) -> str:
        parts = urlsplit(url)
        target = f"{parts.path}?{parts.query}" if parts.query else parts.path
        stamp, nonce = str(int(self._clock().timestamp())), secrets.token_hex(16).upper()
        message = f"{method}\n{target}\n{stamp}\n{nonce}\n".encode() + body + b"\n"
        fields = {
            "mchid": self.config.mchid,
            "nonce_str": nonce,
            "signature": rsa2.sign(self._private_key, message),
            "timestamp": stamp,
            "serial_no": self.config.merchant_serial_no,
        }
        pairs = ",".join(f'{key}="{value}"' for key, value in fields.items())
        return f"WECHATPAY2-SHA256-RSA2048 {pairs}"

    # --- gateway calls ------------------------------------------------------------------------

    def _send(self, method: str, url: str, body: bytes) -> HttpResponse:
        headers = {
            "Authorization": self._authorization(method, url, body),
            "Accept": "application/json",
            "User-Agent": USER_AGENT,  # the v3 gateway refuses requests without one
        }
        if body:
            headers["Content-Type"] = "application/json"
        return self._transport(method, url, headers, body)

    def _api(self, method: str, path: str, payload: Mapping[str, object] | None = None) -> _Reply:
        body = b""
        if payload is not None:
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        response = self._send(method, self.config.base_url + path, body)
        signed = header(response.headers, "Wechatpay-Signature") is not None
        # Errors about our own request (401 SIGN_ERROR) come unsigned; _reply decides what an
        # unsigned answer may still mean. A signature that is there must hold.
        if signed:
            try:
                self._verify_signature(response.headers, response.body)
            except _BadSignature as error:
                raise ProviderUnavailable(f"{path}: the answer's signature: {error}") from error
        return _reply(path, response, signed)


# --- gateway answers --------------------------------------------------------------------------


def _reply(path: str, response: HttpResponse, signed: bool) -> _Reply:
    status = response.status
    if status >= 500 or status == 429:  # a transport may hand a 5xx back; 429 is "slow down"
        raise ProviderUnavailable(f"{path}: HTTP {status}")
    if 200 <= status < 300 and not signed:
        raise ProviderUnavailable(f"{path}: an unsigned success answer is not trusted")
    if not response.body:
        return _Reply(status=status, signed=signed)
    try:
        data = json.loads(response.body)
    except ValueError as error:
        raise ProviderUnavailable(f"{path}: HTTP {status} with an unreadable body") from error
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"{path}: HTTP {status} with a body that is not an object")
    return _Reply(status=status, data=data, signed=signed)


def _raise_for(reply: _Reply) -> None:
    if not reply.ok:
        raise ProviderRefused(reply.code or f"http_{reply.status}", reply.message)


def _require_signed(reply: _Reply) -> None:
    # "No such order" decides a payment's fate, so it counts only when WeChat signed it.
    if not reply.signed:
        raise ProviderUnavailable(f"an unsigned {reply.code} is not trusted")


def _order_path(trade_no: str) -> str:
    return f"/v3/pay/transactions/out-trade-no/{quote(trade_no, safe='')}"


def _query_result(trade_no: str, data: Mapping[str, object]) -> QueryResult:
    if data.get("out_trade_no") != trade_no:
        raise ProviderUnavailable("the query answer is about another order")
    word = _text(data, "trade_state")
    status = _STATUSES.get(word)
    if status is None:
        raise ProviderUnavailable(f"unknown trade_state {word[:40]!r} in a query answer")
    try:
        amount = _amount(data, required=False)
        paid_at = _rfc3339(_text(data, "success_time"))
    except ValueError as error:
        raise ProviderUnavailable(f"malformed query answer: {error}") from error
    return QueryResult(
        trade_no=trade_no,
        status=status,
        amount=amount,
        provider_id=_text(data, "transaction_id"),
        paid_at=paid_at,
    )


# --- notifications ----------------------------------------------------------------------------


def _notification_json(data: bytes) -> dict[str, object]:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except ValueError as error:  # UnicodeDecodeError included
        raise InvalidNotification("malformed", f"not a JSON body: {error}") from error
    if not isinstance(parsed, dict):
        raise InvalidNotification("malformed", "the JSON body is not an object")
    return parsed


def _object(data: Mapping[str, object], name: str) -> dict[str, object]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise InvalidNotification("malformed", f"the notification has no {name} object")
    return value


def _notification_text(data: Mapping[str, object], name: str, *, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > 64 or (required and not value):
        raise InvalidNotification("malformed", f"the notification has no usable {name}")
    return value


def _event(envelope: Mapping[str, object], transaction: Mapping[str, object]) -> ProviderEvent:
    if not _notification_text(envelope, "event_type").startswith("TRANSACTION."):
        raise InvalidNotification("unknown_status", "not a payment notification")
    word = _notification_text(transaction, "trade_state")
    status = _STATUSES.get(word)
    if status is None:
        raise InvalidNotification("unknown_status", f"unknown trade_state {word!r}")
    try:
        amount = _amount(transaction, required=True)
        paid_at = _rfc3339(_notification_text(transaction, "success_time", required=False))
    except ValueError as error:
        raise InvalidNotification("malformed", str(error)) from error
    return ProviderEvent(
        notification_id=_notification_text(envelope, "id"),
        trade_no=_notification_text(transaction, "out_trade_no"),
        status=status,
        amount=amount,
        provider_id=_notification_text(transaction, "transaction_id", required=False),
        paid_at=paid_at,
        raw={"event_type": envelope["event_type"], "transaction": dict(transaction)},
    )


# --- values -----------------------------------------------------------------------------------


def _text(data: Mapping[str, object], name: str) -> str:
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


def _amount(data: Mapping[str, object], *, required: bool) -> int | None:
    """``amount.total`` in 分, in CNY; None when absent and not required."""
    amount = data.get("amount")
    if amount is None and not required:
        return None
    if not isinstance(amount, dict):
        raise ValueError("no amount object")
    total = amount.get("total")
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= MAX_FEN:
        raise ValueError(f"amount.total is not an amount in fen: {str(total)[:40]}")
    if amount.get("currency", "CNY") != "CNY":
        raise ValueError("the amount is not in CNY")
    return total


def _rfc3339(text: str) -> dt.datetime | None:
    """``2018-06-08T10:34:56+08:00``; None for an empty value; ValueError without an offset."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"a time without an offset: {text[:40]!r}")
    return moment


# --- statements -------------------------------------------------------------------------------

# The columns we read from the trade bill (type ALL), found by their header, in any order.
# Every value in a detail line starts with a backtick (so spreadsheets keep it as text).
TRADEBILL_COLUMNS = {
    "at": "交易时间",
    "provider_id": "微信订单号",
    "trade_no": "商户订单号",
    "state": "交易状态",  # SUCCESS (a payment) or REFUND (a refund); other lines are skipped
}
# The amount columns, newest name first (older bills lack 订单金额 and 申请退款金额).
_PAYMENT_AMOUNT = ("订单金额", "应结订单金额")
_REFUND_AMOUNT = ("申请退款金额", "退款金额")
_SUMMARY_HEADER = "总交易单数"  # the summary section after the detail lines


def parse_tradebill(text: str) -> list[StatementRow]:
    """Rows from a trade bill: a header line, detail lines, then the summary section."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))  # the file starts with a BOM
    names = [cell.strip() for cell in next(reader, [])]
    index = _tradebill_index(names)
    rows: list[StatementRow] = []
    for cells in reader:
        if not cells or not "".join(cells).strip():
            continue
        if cells[0].strip().startswith(_SUMMARY_HEADER):
            break
        row = _tradebill_row([cell.strip().removeprefix("`") for cell in cells], index)
        if row is not None:
            rows.append(row)
    return rows


def _tradebill_index(names: list[str]) -> dict[str, int]:
    def first(candidates: tuple[str, ...]) -> str:
        return next((name for name in candidates if name in names), candidates[0])

    wanted = {
        **TRADEBILL_COLUMNS,
        "payment": first(_PAYMENT_AMOUNT),
        "refund": first(_REFUND_AMOUNT),
    }
    missing = [name for name in wanted.values() if name not in names]
    if missing:
        raise ValueError(f"the bill lacks the columns {missing}")
    return {key: names.index(name) for key, name in wanted.items()}


def _tradebill_row(cells: list[str], index: Mapping[str, int]) -> StatementRow | None:
    if len(cells) <= max(index.values()):
        raise ValueError(f"a bill line has {len(cells)} cells")
    value = {key: cells[at] for key, at in index.items()}
    kind = {"SUCCESS": "payment", "REFUND": "refund"}.get(value["state"])
    if kind is None:
        return None
    at = dt.datetime.strptime(value["at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)
    return StatementRow(
        trade_no=value["trade_no"],
        provider_id=value["provider_id"],
        amount=fen_from_yuan(value["payment" if kind == "payment" else "refund"]),
        kind=kind,
        at=at,
    )
