"""POST /api/v1/messages: a message is stored once, and bad input gets a clear 4xx."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from PIL import Image

from yiwang.intake.models import Attachment, Message, MessageEvent

URL = "/api/v1/messages"
pytestmark = pytest.mark.django_db


def payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "公交站台缺少遮阳棚",
        "content": "学院路公交站台没有遮阳棚，夏天等车的老人经常中暑，希望尽快加装。",
        "nature": "suggestion",
        "region": "330106",
        "mobile": "+86 138-0013-8000",
        "email": "citizen@example.com",
        "consent_publish": True,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_json(client: Client, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, raw, content_type="application/json", headers=headers)


def error_fields(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json().get("errors", [])}


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def test_it_stores_a_message_and_answers_with_tracking_number_and_query_code(
    client: Client, regions: Any
) -> None:
    response = post_json(client, payload())
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"YW\d{8}\d{6}", body["tracking_number"])
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", body["query_code"])
    assert body["duplicate"] is False
    message = Message.objects.get(tracking_number=body["tracking_number"])
    assert message.channel == "api"
    assert message.region.code == "330106"
    assert message.consent_publish is True
    assert message.events.filter(kind="submitted", is_public=True).count() == 1


def test_it_keeps_the_mobile_number_only_encrypted(client: Client, regions: Any) -> None:
    post_json(client, payload())
    message = Message.objects.get()
    assert "13800138000" not in message.mobile_encrypted
    assert message.mobile_encrypted.startswith("v1.")
    assert "example.com" not in message.email_encrypted
    assert len(message.query_code_digest) == 64


def test_a_replay_with_the_same_idempotency_key_returns_the_same_message_and_code(
    client: Client, regions: Any
) -> None:
    key = "retry-key-0123456789abcdef"
    first = post_json(client, payload(), **{"Idempotency-Key": key})
    second = post_json(client, payload(), **{"Idempotency-Key": key})
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["tracking_number"] == first.json()["tracking_number"]
    assert second.json()["query_code"] == first.json()["query_code"]
    assert second.json()["duplicate"] is True
    assert Message.objects.count() == 1


def test_an_identical_message_within_a_day_returns_the_first_without_its_code(
    client: Client, regions: Any
) -> None:
    first = post_json(client, payload())
    second = post_json(client, payload())
    assert second.status_code == 200
    assert second.json()["tracking_number"] == first.json()["tracking_number"]
    assert second.json()["query_code"] is None
    assert Message.objects.count() == 1
    assert MessageEvent.objects.filter(kind="resubmitted").count() == 1


def test_the_same_words_from_another_mobile_are_a_new_message(client: Client, regions: Any) -> None:
    post_json(client, payload())
    response = post_json(client, payload(mobile="13900139000"))
    assert response.status_code == 201
    assert Message.objects.count() == 2


def test_tracking_numbers_count_up_within_a_day(client: Client, regions: Any) -> None:
    numbers = [
        post_json(client, payload(mobile=f"1390013900{i}")).json()["tracking_number"]
        for i in range(3)
    ]
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "malformed_json"),
        (b"\xff\xfe\x00garbage", "malformed_json"),
        ("[1, 2, 3]", "malformed_json"),
        ('"a string"', "malformed_json"),
    ],
)
def test_it_rejects_a_body_that_is_not_a_json_object(
    client: Client, regions: Any, body: Any, code: str
) -> None:
    response = post_json(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Message.objects.count() == 0


def test_it_rejects_a_wrong_content_type_with_415(client: Client, regions: Any) -> None:
    response = client.post(URL, "title=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"title": None}, "title", "missing"),
        ({"title": 12345}, "title", "wrong_type"),
        ({"consent_publish": "perhaps"}, "consent_publish", "wrong_type"),
        ({"title": "   "}, "title", "required"),
        ({"title": "长" * 101}, "title", "too_long"),
        ({"content": "太短"}, "content", "too_short"),
        ({"content": "字" * 4001}, "content", "too_long"),
        ({"content": "含有控制字符\x00的留言内容"}, "content", "invalid_characters"),
        ({"nature": "rant"}, "nature", "invalid_choice"),
        ({"region": "999999"}, "region", "unknown_region"),
        ({"region": ""}, "region", "required"),
        ({"theme": "t99"}, "theme", "unknown_theme"),
        ({"mobile": "1380013800"}, "mobile", "invalid_mobile"),
        ({"mobile": "12800138000"}, "mobile", "invalid_mobile"),
        ({"email": "not-an-email"}, "email", "invalid_email"),
        ({"contact_name": "名" * 33}, "contact_name", "too_long"),
    ],
)
def test_it_names_the_field_that_is_wrong_and_saves_nothing(
    client: Client, regions: Any, overrides: dict[str, Any], field: str, code: str
) -> None:
    response = post_json(client, payload(**overrides))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_input"
    assert error_fields(response).get(field) == code
    assert Message.objects.count() == 0


def test_it_reports_every_wrong_field_at_once(client: Client, regions: Any) -> None:
    response = post_json(client, payload(mobile="123", email="x@", region="000000"))
    assert set(error_fields(response)) == {"mobile", "email", "region"}


def test_hostile_markup_is_stored_as_text(client: Client, regions: Any) -> None:
    title = "<script>alert(1)</script>"
    response = post_json(client, payload(title=title))
    assert response.status_code == 201
    assert Message.objects.get().title == title


def test_it_accepts_attachments_as_multipart(client: Client, regions: Any) -> None:
    image = io.BytesIO(jpeg_bytes())
    image.name = "photo.jpg"
    data = {**payload(), "consent_publish": "true", "attachments": [image]}
    response = client.post(URL, data)
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/jpeg"
    assert attachment.extension == "jpg"


def test_it_rejects_a_program_disguised_as_a_photo(client: Client, regions: Any) -> None:
    fake = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200)
    fake.name = "photo.jpg"
    response = client.post(URL, {**payload(), "consent_publish": "true", "attachments": [fake]})
    assert response.status_code == 400
    assert error_fields(response) == {"attachments": "unsupported_type"}
    assert Message.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_it_rejects_more_than_five_attachments(client: Client, regions: Any) -> None:
    files = []
    for i in range(6):
        f = io.BytesIO(jpeg_bytes())
        f.name = f"p{i}.jpg"
        files.append(f)
    response = client.post(URL, {**payload(), "consent_publish": "1", "attachments": files})
    assert response.status_code == 400
    assert error_fields(response) == {"attachments": "too_many_files"}


def test_it_rejects_an_attachment_over_ten_megabytes(client: Client, regions: Any) -> None:
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n")
    big.name = "big.pdf"
    response = client.post(URL, {**payload(), "consent_publish": "0", "attachments": [big]})
    assert response.status_code == 400
    assert error_fields(response) == {"attachments": "too_large"}


def test_it_rejects_a_multipart_consent_that_is_not_a_boolean(client: Client, regions: Any) -> None:
    response = client.post(URL, {**payload(), "consent_publish": "maybe"})
    assert response.status_code == 400
    assert error_fields(response) == {"consent_publish": "invalid_boolean"}


def test_it_rejects_a_malformed_idempotency_key(client: Client, regions: Any) -> None:
    response = post_json(client, payload(), **{"Idempotency-Key": "short"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


@override_settings(YIWANG_RATE_SUBMIT_PER_IP="2/h")
def test_it_limits_submissions_per_address(client: Client, regions: Any) -> None:
    codes = [post_json(client, payload(mobile=f"1370013700{i}")).status_code for i in range(3)]
    assert codes == [201, 201, 429]
    assert Message.objects.count() == 2


@override_settings(YIWANG_RATE_SUBMIT_PER_IP="2/h", YIWANG_TRUSTED_CLIENT_IPS=["127.0.0.1"])
def test_a_trusted_gateway_address_is_exempt_from_the_address_limit(
    client: Client, regions: Any
) -> None:
    codes = [post_json(client, payload(mobile=f"1370013700{i}")).status_code for i in range(3)]
    assert codes == [201, 201, 201]


@override_settings(YIWANG_RATE_SUBMIT_PER_MOBILE="1/h")
def test_it_limits_submissions_per_mobile_number(client: Client, regions: Any) -> None:
    first = post_json(client, payload())
    second = post_json(client, payload(title="另一件事情", mobile="138 0013 8000"))
    assert first.status_code == 201
    assert second.status_code == 429
    assert second.json()["code"] == "rate_limited"


def test_the_openapi_document_describes_the_submission(client: Client) -> None:
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"]["/api/v1/messages"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert client.get("/api/docs").status_code == 200


def test_a_body_over_the_memory_limit_is_refused_with_413(client: Client, regions: Any) -> None:
    huge = json.dumps(payload(content="字" * 1_000_000))  # ~3 MB of UTF-8
    response = post_json(client, huge)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert Message.objects.count() == 0


def test_a_declared_length_over_the_request_limit_is_refused_before_reading(
    client: Client, regions: Any
) -> None:
    response = client.post(
        URL, "{}", content_type="application/json", CONTENT_LENGTH=str(60 * 1024 * 1024)
    )
    assert response.status_code == 413


def test_null_optional_fields_are_treated_as_absent(client: Client, regions: Any) -> None:
    response = post_json(client, payload(theme=None, email=None) | {"contact_name": None})
    assert response.status_code == 201
    assert Message.objects.get().contact_name == ""


def test_english_callers_get_english_error_messages(client: Client, regions: Any) -> None:
    response = client.post(
        URL,
        json.dumps(payload(mobile="123")),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.json()["message"] == "Some fields are missing or wrong."
    chinese = post_json(client, payload(mobile="123"), **{"Accept-Language": "zh-hans"})
    assert chinese.json()["message"] != "Some fields are missing or wrong."
