"""Alipay-style adapter: open platform API v1 (``alipay.trade.*``), RSA2 signatures.

What the rules are and where they come from: ``yiwang/payments/providers.md``. In short:
requests are form parameters signed with our RSA key (SHA256withRSA over the sorted
``k=v&…`` of the non-empty parameters except ``sign``); gateway answers are JSON whose
``<method>_response`` node is signed by Alipay, byte for byte as it appears in the body;
notifications are form POSTs signed the same way as requests, less ``sign_type`` too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, urlencode

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
from .http import urllib_transport
from .money import fen_from_yuan, yuan_from_fen

DEFAULT_GATEWAY = "https://openapi.alipay.com/gateway.do"
# China has kept UTC+8 all year since 1991; a fixed offset needs no tz database.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
MAX_NOTIFICATION_BYTES = 64 * 1024
MAX_STATEMENT_BYTES = 64 * 1024 * 1024
SUBJECT_MAX_CHARS = 256  # Alipay's limit for ``subject``

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_STATUSES = {
    "WAIT_BUYER_PAY": ProviderStatus.PENDING,
    "TRADE_SUCCESS": ProviderStatus.SUCCESS,
    "TRADE_FINISHED": ProviderStatus.SUCCESS,  # paid, and past the refund period
    "TRADE_CLOSED": ProviderStatus.CLOSED,  # closed unpaid, or fully refunded
}
_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "gbk": "gbk", "gb2312": "gbk"}
_PRODUCTS = {
    "page": ("alipay.trade.page.pay", "FAST_INSTANT_TRADE_PAY"),
    "wap": ("alipay.trade.wap.pay", "QUICK_WAP_WAY"),
}
_SUCCESS = "10000"
_SERVICE_UNAVAILABLE = "20000"
# Business codes that Alipay documents as "system error, send the same request again".
_RETRY_SUB_CODES = frozenset({"ACQ.SYSTEM_ERROR", "aop.ACQ.SYSTEM_ERROR", "isp.unknow-error"})
_TRADE_NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
_FIELD_LIMITS = {"notify_id": 128, "out_trade_no": 64, "trade_no": 64}


@dataclass(frozen=True)
class AlipayConfig:
    app_id: str
    private_key_pem: str  # our application's RSA private key (PEM, or Alipay's bare base64)
    alipay_public_key_pem: str  # Alipay's public key for this app (PEM, or bare base64)
    gateway_url: str = DEFAULT_GATEWAY
    seller_id: str = ""  # the merchant's PID (2088…); checked on notifications when set
    timeout: float = 10.0
    product: Literal["page", "wap"] = "page"  # desktop cashier page, or the mobile web one


@dataclass(frozen=True)
class _Answer:
    """A gateway answer's ``<method>_response`` node, and whether Alipay's signature held."""

    code: str
    sub_code: str
    message: str
    fields: Mapping[str, object]
    signed: bool


def signing_content(params: Mapping[str, str], drop: Iterable[str]) -> str:
    """The text Alipay signs: non-empty parameters except ``drop``, sorted by key, joined as
    ``k=v&…`` with the raw (not URL-encoded) values."""
    dropped = frozenset(drop)
    return "&".join(
        f"{key}={params[key]}" for key in sorted(params) if key not in dropped and params[key]
    )


class AlipayProvider:
    name: str = "alipay"

    def __init__(
        self,
        config: AlipayConfig,
        transport: Transport | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        if config.product not in _PRODUCTS:
            raise ValueError(f"unknown Alipay product {config.product!r}")
        self.config = config
        self._private_key = rsa2.load_private_key(config.private_key_pem, "The Alipay app key")
        self._alipay_key = rsa2.load_public_key(config.alipay_public_key_pem, "Alipay's public key")
        self._transport = transport or urllib_transport(config.timeout)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # --- charges ------------------------------------------------------------------------------

    def create_charge(self, request: ChargeRequest) -> Charge:
        """The cashier page URL: a signed GET on the gateway (Alipay's SDK ``pageExecute``)."""
        if request.amount <= 0 or request.expires_at.tzinfo is None:
            raise ValueError("a charge needs a positive amount and an aware expiry time")
        method, product_code = _PRODUCTS[self.config.product]
        biz = {
            "out_trade_no": request.trade_no,
            "total_amount": yuan_from_fen(request.amount),
            "subject": request.description[:SUBJECT_MAX_CHARS],
            "product_code": product_code,
            "time_expire": _china_time(request.expires_at),
        }
        extra = {"notify_url": request.notify_url, "return_url": request.return_url}
        query = urlencode(self._signed_params(method, biz, extra))
        separator = "&" if "?" in self.config.gateway_url else "?"
        return Charge(next_url=f"{self.config.gateway_url}{separator}{query}")

    def query(self, trade_no: str) -> QueryResult:
        answer = self._call("alipay.trade.query", {"out_trade_no": trade_no})
        if answer.sub_code == _TRADE_NOT_EXIST and answer.signed:
            return QueryResult(trade_no=trade_no, status=ProviderStatus.NOT_FOUND)
        _raise_for(answer)
        return _query_result(trade_no, answer.fields)

    def refund(self, trade_no: str, refund_no: str, amount: int, total: int) -> RefundResult:
        """Refund ``amount`` 分. ``out_request_no`` makes a re-sent refund the same refund."""
        if not 0 < amount <= total:
            raise ValueError(f"cannot refund {amount} of {total}")
        biz = {
            "out_trade_no": trade_no,
            "refund_amount": yuan_from_fen(amount),
            "out_request_no": refund_no,
        }
        answer = self._call("alipay.trade.refund", biz)
        # 10000 is "accepted": fund_change "Y" says money moved now, "N" that this request
        # had already been refunded (a re-send), which is also a success for us.
        if answer.code == _SUCCESS:
            return RefundResult(accepted=True)
        _raise_if_unavailable(answer)
        reason = answer.sub_code or answer.code
        return RefundResult(accepted=False, error=f"{reason}: {answer.message}")

    def cancel(self, trade_no: str) -> None:
        """Close an unpaid trade. A trade Alipay never saw (the payer never opened the cashier)
        has nothing to close."""
        answer = self._call("alipay.trade.close", {"out_trade_no": trade_no})
        if answer.sub_code == _TRADE_NOT_EXIST and answer.signed:
            return
        _raise_for(answer)

    def fetch_statement(self, day: dt.date) -> Iterable[StatementRow]:
        """The trade statement (业务明细) of ``day``; available from about 09:00 on the next day."""
        biz = {"bill_type": "trade", "bill_date": day.isoformat()}
        answer = self._call("alipay.data.dataservice.bill.downloadurl.query", biz)
        _raise_for(answer)
        url = answer.fields.get("bill_download_url")
        if not isinstance(url, str) or not url:
            raise ProviderUnavailable("the statement answer carries no bill_download_url")
        response = self._transport("GET", url, {}, b"")
        if response.status != 200:
            raise ProviderUnavailable(f"statement download answered HTTP {response.status}")
        try:
            return parse_statement_zip(response.body)
        except ValueError as error:
            raise ProviderUnavailable(f"unreadable statement file: {error}") from error

    # --- notifications ------------------------------------------------------------------------

    def verify_and_parse_notification(
        self, headers: Mapping[str, str], body: bytes
    ) -> ProviderEvent:
        charset, fields = _parse_form(body)
        self._verify_notification(fields, charset)
        if fields.get("app_id") != self.config.app_id:
            raise InvalidNotification("wrong_app", "the notification is for another app_id")
        if self.config.seller_id and fields.get("seller_id") != self.config.seller_id:
            raise InvalidNotification("wrong_app", "the notification is for another seller_id")
        return _event(fields)

    def ack(self, ok: bool) -> Ack:
        # Alipay looks only at the body: anything but exactly "success" makes it re-send.
        return Ack(status=200, body=b"success" if ok else b"failure", content_type="text/plain")

    def _verify_notification(self, fields: Mapping[str, str], charset: str) -> None:
        sign = fields.get("sign", "")
        if not sign:
            raise InvalidNotification("bad_signature", "the notification is not signed")
        if fields.get("sign_type", "RSA2") != "RSA2":
            raise InvalidNotification("bad_signature", "only RSA2 signatures are accepted")
        content = signing_content(fields, drop=("sign", "sign_type"))
        # The signature is over the text in the notification's own charset (GBK or UTF-8).
        if not rsa2.verifies(self._alipay_key, content.encode(charset, "replace"), sign):
            raise InvalidNotification("bad_signature", "the signature does not verify")

    # --- gateway calls ------------------------------------------------------------------------

    def _signed_params(
        self, method: str, biz: Mapping[str, str], extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        params = {
            "app_id": self.config.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": _china_time(self._clock()),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
            **(extra or {}),
        }
        content = signing_content(params, drop=("sign",)).encode("utf-8")
        params["sign"] = rsa2.sign(self._private_key, content)
        return params

    def _call(self, method: str, biz: Mapping[str, str]) -> _Answer:
        body = urlencode(self._signed_params(method, biz)).encode("ascii")
        content_type = {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}
        response = self._transport("POST", self.config.gateway_url, content_type, body)
        return self._read_answer(method, response)

    def _read_answer(self, method: str, response: HttpResponse) -> _Answer:
        # The gateway answers HTTP 200 to everything it understood, errors included.
        if response.status != 200:
            raise ProviderUnavailable(f"{method}: the gateway answered HTTP {response.status}")
        try:
            text = response.body.decode("utf-8")
            node_text, sign = _response_node(text, method)
            node = json.loads(node_text)
        except ValueError as error:
            raise ProviderUnavailable(f"{method}: unreadable answer: {error}") from error
        if not isinstance(node, dict):
            raise ProviderUnavailable(f"{method}: the answer node is not an object")
        signed = bool(sign) and self._node_verifies(node_text, sign)
        if sign and not signed:
            raise ProviderUnavailable(f"{method}: the answer's signature does not verify")
        answer = _answer(node, signed)
        if answer.code == _SUCCESS and not signed:
            raise ProviderUnavailable(f"{method}: an unsigned success answer is not trusted")
        return answer

    def _node_verifies(self, node_text: str, sign: str) -> bool:
        if rsa2.verifies(self._alipay_key, node_text.encode("utf-8"), sign):
            return True
        # Alipay's SDKs retry with "\/" unescaped: the gateway may escape "/" after signing.
        unescaped = node_text.replace("\\/", "/")
        return unescaped != node_text and rsa2.verifies(
            self._alipay_key, unescaped.encode("utf-8"), sign
        )


# --- notifications ----------------------------------------------------------------------------


def _parse_form(body: bytes) -> tuple[str, dict[str, str]]:
    """The notification's charset and fields; refuse anything that is not one clean form."""
    if not body or len(body) > MAX_NOTIFICATION_BYTES:
        raise InvalidNotification("malformed", f"a notification body of {len(body)} bytes")
    try:
        text = body.decode("ascii")  # a URL-encoded body is ASCII; the charset is for %XX
        charset = _form_charset(text)
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=True,
            encoding=charset,
            errors="strict",
            max_num_fields=200,
        )
    except ValueError as error:  # UnicodeDecodeError included
        raise InvalidNotification("malformed", f"not a form body: {error}") from error
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidNotification("malformed", "a field is repeated")
    return charset, fields


def _form_charset(text: str) -> str:
    # Field names and the charset's own value are ASCII, so latin-1 reads them whatever %XX are.
    declared = [v for k, v in parse_qsl(text, encoding="latin-1") if k == "charset"]
    if not declared:
        return "utf-8"
    charset = _CHARSETS.get(declared[0].strip().lower())
    if charset is None or len(declared) > 1:
        raise ValueError(f"unsupported charset {declared[0][:20]!r}")
    return charset


def _event(fields: Mapping[str, str]) -> ProviderEvent:
    word = _required(fields, "trade_status")
    status = _STATUSES.get(word)
    if status is None:
        raise InvalidNotification("unknown_status", f"unknown trade_status {word[:40]!r}")
    try:
        amount = fen_from_yuan(_required(fields, "total_amount"))
        paid_at = _parse_china_time(fields.get("gmt_payment", ""))
    except ValueError as error:
        raise InvalidNotification("malformed", str(error)) from error
    return ProviderEvent(
        notification_id=_required(fields, "notify_id"),
        trade_no=_required(fields, "out_trade_no"),
        status=status,
        amount=amount,
        provider_id=_required(fields, "trade_no"),
        paid_at=paid_at,
        raw={key: value for key, value in fields.items() if key != "sign"},
    )


def _required(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name, "")
    if not value:
        raise InvalidNotification("malformed", f"the notification has no {name}")
    if len(value) > _FIELD_LIMITS.get(name, 64):
        raise InvalidNotification("malformed", f"{name} is {len(value)} characters long")
    return value


# --- gateway answers --------------------------------------------------------------------------


def _response_node(text: str, method: str) -> tuple[str, str]:
    """The exact text of the answer node (what Alipay signed) and the ``sign`` value.

    The node is cut out of the body rather than re-serialised: the signature is over Alipay's
    bytes. What we act on is parsed from that same text, so it is what was verified.
    """
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError("the answer is not a JSON object")
    sign = document.get("sign", "")
    for name in (method.replace(".", "_") + "_response", "error_response"):
        if name in document:
            match = re.search(rf'"{re.escape(name)}"\s*:\s*', text)
            if match is None:
                raise ValueError(f"cannot locate {name}")
            _, end = json.JSONDecoder().raw_decode(text, match.end())
            return text[match.end() : end], sign if isinstance(sign, str) else ""
    raise ValueError("the answer has no response node")


def _answer(node: Mapping[str, object], signed: bool) -> _Answer:
    def text(key: str) -> str:
        value = node.get(key, "")
        return value if isinstance(value, str) else str(value)

    return _Answer(
        code=text("code"),
        sub_code=text("sub_code"),
        message=text("sub_msg") or text("msg"),
        fields=node,
        signed=signed,
    )


def _raise_if_unavailable(answer: _Answer) -> None:
    if answer.code == _SERVICE_UNAVAILABLE or answer.sub_code in _RETRY_SUB_CODES:
        raise ProviderUnavailable(f"Alipay is unavailable: {answer.sub_code} {answer.message}")


def _raise_for(answer: _Answer) -> None:
    """Nothing for a success; ProviderUnavailable for a retryable error; else ProviderRefused."""
    if answer.code == _SUCCESS:
        return
    _raise_if_unavailable(answer)
    if answer.sub_code == _TRADE_NOT_EXIST:  # only trusted when signed, and it was not
        raise ProviderUnavailable("an unsigned ACQ.TRADE_NOT_EXIST is not trusted")
    raise ProviderRefused(answer.sub_code or answer.code, answer.message)


def _query_result(trade_no: str, fields: Mapping[str, object]) -> QueryResult:
    if fields.get("out_trade_no") != trade_no:
        raise ProviderUnavailable("the query answer is about another trade")
    word = str(fields.get("trade_status", ""))
    status = _STATUSES.get(word)
    if status is None:
        raise ProviderUnavailable(f"unknown trade_status {word[:40]!r} in a query answer")
    try:
        amount = fen_from_yuan(str(fields.get("total_amount", "")))
        paid_at = _parse_china_time(str(fields.get("send_pay_date", "")))
    except ValueError as error:
        raise ProviderUnavailable(f"malformed query answer: {error}") from error
    provider_id = fields.get("trade_no", "")
    return QueryResult(
        trade_no=trade_no,
        status=status,
        amount=amount,
        provider_id=provider_id if isinstance(provider_id, str) else "",
        paid_at=paid_at,
    )


# --- statements -------------------------------------------------------------------------------

# The columns we read from the detail CSV (业务明细), found by their header, in any order.
STATEMENT_COLUMNS = {
    "provider_id": "支付宝交易号",
    "trade_no": "商户订单号",
    "kind": "业务类型",  # 交易 (a payment) or 退款 (a refund); other lines are skipped
    "at": "完成时间",
    "amount": "订单金额(元)",  # negative on refund lines; a StatementRow's amount is positive
}
_KINDS = {"交易": "payment", "退款": "refund"}


def parse_statement_zip(data: bytes) -> list[StatementRow]:
    """The rows of the detail CSV inside Alipay's statement zip (GBK text).

    The zip also holds a summary CSV (its name contains 汇总), which is ignored.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data), metadata_encoding="gbk") as archive:
            members = [
                info
                for info in archive.infolist()
                if info.filename.lower().endswith(".csv") and "汇总" not in info.filename
            ]
            if len(members) != 1:
                raise ValueError(f"{len(members)} detail CSV files in the statement zip")
            if members[0].file_size > MAX_STATEMENT_BYTES:  # a zip bomb is not a statement
                raise ValueError("the statement CSV is too large")
            raw = archive.read(members[0])
    except zipfile.BadZipFile as error:
        raise ValueError(f"not a zip file: {error}") from error
    return parse_statement_csv(raw.decode("gb18030"))  # GB18030 reads all of GBK


def parse_statement_csv(text: str) -> list[StatementRow]:
    """Rows from the detail CSV: ``#`` lines are comments, the first other line is the header."""
    lines = (line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise ValueError("the statement has no header line")
    names = [_header_name(cell) for cell in header]
    missing = [name for name in STATEMENT_COLUMNS.values() if name not in names]
    if missing:
        raise ValueError(f"the statement lacks the columns {missing}")
    index = {key: names.index(name) for key, name in STATEMENT_COLUMNS.items()}
    rows = (_statement_row(cells, index) for cells in reader)
    return [row for row in rows if row is not None]


def _header_name(cell: str) -> str:
    return cell.strip().replace("（", "(").replace("）", ")")


def _statement_row(cells: list[str], index: Mapping[str, int]) -> StatementRow | None:
    if len(cells) <= max(index.values()):
        raise ValueError(f"a statement line has {len(cells)} cells")
    value = {key: cells[at].strip() for key, at in index.items()}  # real files pad with tabs
    kind = _KINDS.get(value["kind"])
    if kind is None:
        return None
    return StatementRow(
        trade_no=value["trade_no"],
        provider_id=value["provider_id"],
        amount=fen_from_yuan(value["amount"].removeprefix("-")),
        kind=kind,
        at=_parse_china_time(value["at"]),
    )


# --- keys, signatures, times ------------------------------------------------------------------


def _china_time(moment: dt.datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime(_TIME_FORMAT)


def _parse_china_time(text: str) -> dt.datetime | None:
    """``yyyy-MM-dd HH:mm:ss`` in Beijing time; None for an empty value."""
    if not text:
        return None
    return dt.datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=CHINA_TZ)
