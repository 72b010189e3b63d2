"""The citizen's pages: home, submit, track and themes, in Chinese and English, without JavaScript.

Headings are compared with what the catalogues say for each language, so these tests hold
before and after the translations are complete; once a Chinese translation exists, the Chinese
page must show Chinese.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Attachment, EventKind, Message, MessageEvent
from yiwang.lib.codes import format_query_code, new_submission_token
from yiwang.taxonomy.models import Theme

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
TRACK_API = "/api/v1/messages/track"


# --- helpers ------------------------------------------------------------------------------------


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def text_of(response: Any) -> str:
    return str(response.content.decode())


def html_lang(response: Any) -> str:
    match = re.search(r'<html lang="([^"]+)"', text_of(response))
    assert match, "the page has no <html lang>"
    return match.group(1)


def heading(response: Any) -> str:
    match = re.search(r"<h1>(.*?)</h1>", text_of(response), re.DOTALL)
    assert match, "the page has no <h1>"
    return html.unescape(match.group(1).strip())


def by_id(response: Any, element_id: str) -> str | None:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', text_of(response))
    return html.unescape(match.group(1).strip()) if match else None


def field_block(response: Any, name: str) -> str:
    """The markup of one field's wrapper: its label, help, errors and control."""
    for block in text_of(response).split('<div class="field')[1:]:
        if f'id="id_{name}"' in block:
            return block.split("</div>")[0]
    raise AssertionError(f"no field {name} on the page")


def field_errors(response: Any, name: str) -> list[str]:
    block = field_block(response, name)
    match = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', block, re.DOTALL)
    return (
        [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", match.group(1))] if match else []
    )


def page_errors(response: Any) -> list[str]:
    match = re.search(
        r'role="alert"><ul class="errorlist">(.*?)</ul>', text_of(response), re.DOTALL
    )
    return (
        [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", match.group(1))] if match else []
    )


class Controls(HTMLParser):
    """Collects form controls and the ``for`` targets of labels."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"input", "select", "textarea"} and values.get("type") != "hidden":
            self.controls.append(values)
        if tag == "label" and values.get("for"):
            self.label_targets.add(str(values["for"]))


def controls_of(response: Any) -> Controls:
    parser = Controls()
    parser.feed(text_of(response))
    return parser


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def upload(name: str, data: bytes) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "路灯不亮",
        "content": "文三路与学院路路口的路灯已经一周不亮了，晚上行人过马路很危险。",
        "nature": "complaint",
        "region": "330106",
        "theme": "",
        "contact_name": "王女士",
        "mobile": "13800138000",
        "email": "",
        "token": new_submission_token(),
        "website": "",
    }
    data.update(overrides)
    return data


def track(client: Client, number: str, code: str, url: str = "/track/") -> Any:
    return client.post(url, {"tracking_number": number, "query_code": code})


def track_api(client: Client, number: str, code: str) -> Any:
    body = json.dumps({"tracking_number": number, "query_code": code})
    return client.post(TRACK_API, body, content_type="application/json")


# --- languages ----------------------------------------------------------------------------------

PAGES = [
    ("", "Say a word to the government"),
    ("submit/", "Leave a message"),
    ("track/", "Track a message"),
]


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_public_pages_speak_chinese_by_default(
    client: Client, regions: Any, path: str, title: str
) -> None:
    response = client.get(f"/{path}")
    assert response.status_code == 200
    assert html_lang(response) == "zh-Hans"
    expected = in_language("zh-hans", title)
    assert heading(response) == expected
    if expected != title:  # once the Chinese catalogue has it, the page must be in Chinese
        assert CJK.search(heading(response))


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_public_pages_speak_english_under_en(
    client: Client, regions: Any, path: str, title: str
) -> None:
    response = client.get(f"/en/{path}")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert heading(response) == in_language("en", title)
    assert not CJK.search(heading(response))


def test_the_theme_page_shows_the_theme_in_the_page_language(client: Client, theme: Theme) -> None:
    chinese = client.get(f"/themes/{theme.code}/")
    english = client.get(f"/en/themes/{theme.code}/")
    assert (html_lang(chinese), heading(chinese)) == ("zh-Hans", "办事少跑腿")
    assert (html_lang(english), heading(english)) == ("en", "Fewer trips")
    assert f'href="/submit/?theme={theme.code}"' in text_of(chinese)


def test_the_home_page_lists_active_themes_in_one_query(
    client: Client, theme: Theme, django_assert_max_num_queries: Any
) -> None:
    Theme.objects.create(code="t02", name_zh="停用话题", name_en="Closed", is_active=False)
    with django_assert_max_num_queries(1):
        response = client.get("/")
    assert "办事少跑腿" in text_of(response)
    assert "停用话题" not in text_of(response)


@pytest.mark.parametrize("code", ["t99", "t02"])
def test_an_unknown_or_closed_theme_is_not_found(client: Client, theme: Theme, code: str) -> None:
    Theme.objects.create(code="t02", name_zh="停用话题", name_en="Closed", is_active=False)
    assert client.get(f"/themes/{code}/").status_code == 404


def test_the_submit_form_preselects_the_theme_it_came_from(client: Client, theme: Theme) -> None:
    response = client.get(f"/submit/?theme={theme.code}")
    assert re.search(r'<option value="t01" selected>', text_of(response))


# --- accessibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/submit/", "/en/submit/", "/track/", "/en/track/"])
def test_every_form_field_has_a_label(client: Client, regions: Any, theme: Theme, url: str) -> None:
    page = controls_of(client.get(url))
    assert page.controls
    unlabelled = [c.get("name") for c in page.controls if c.get("id") not in page.label_targets]
    assert unlabelled == []


def test_help_texts_are_tied_to_their_fields(client: Client, regions: Any) -> None:
    block = field_block(client.get("/submit/"), "content")
    described = re.search(r'aria-describedby="([^"]+)"', block)
    assert described
    for target in described.group(1).split():
        assert f'id="{target}"' in block


def test_the_honeypot_is_out_of_sight_and_out_of_the_tab_order(
    client: Client, regions: Any
) -> None:
    text = text_of(client.get("/submit/"))
    assert re.search(r'<div class="hp" aria-hidden="true">', text)
    website = re.search(r'<input[^>]*name="website"[^>]*>', text)
    assert website
    assert 'tabindex="-1"' in website.group(0)
    assert 'autocomplete="off"' in website.group(0)


@pytest.mark.parametrize("url", ["/", "/submit/", "/track/", "/en/"])
def test_public_pages_need_no_inline_script_or_style(
    client: Client, regions: Any, url: str
) -> None:
    text = text_of(client.get(url))
    assert "<script" not in text
    assert " style=" not in text
    assert "<style" not in text


def test_the_stylesheet_the_pages_link_to_is_served(client: Client, regions: Any) -> None:
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', text_of(client.get("/")))
    assert href
    response = client.get(href.group(1))
    assert response.status_code == 200
    assert b":focus-visible" in b"".join(response.streaming_content)  # type: ignore[attr-defined]


# --- security headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/submit/", "/track/"])
def test_public_pages_send_a_content_security_policy_and_refuse_framing(
    client: Client, regions: Any, url: str
) -> None:
    response = client.get(url)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


# --- submitting without JavaScript --------------------------------------------------------------


def test_the_form_carries_a_hidden_submission_token(client: Client, regions: Any) -> None:
    text = text_of(client.get("/submit/"))
    token = re.search(r'<input type="hidden" name="token" value="([^"]+)"', text)
    assert token
    assert len(token.group(1)) >= 20
    assert token.group(1) not in text_of(client.get("/submit/"))


def test_a_valid_message_shows_its_tracking_number_and_query_code(
    client: Client, regions: Any
) -> None:
    response = client.post("/submit/", form_data())
    assert response.status_code == 200
    message = Message.objects.get()
    assert by_id(response, "tracking-number") == message.tracking_number
    code = by_id(response, "query-code")
    assert code
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}", code)
    assert message.title == "路灯不亮"
    assert message.channel == "web"
    assert message.language == "zh-hans"


def test_an_english_message_is_kept_with_its_language(client: Client, regions: Any) -> None:
    response = client.post("/en/submit/", form_data())
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert Message.objects.get().language == "en"


def test_sending_the_same_form_again_shows_the_same_receipt_and_stores_one_message(
    client: Client, regions: Any
) -> None:
    data = form_data()
    first = client.post("/submit/", data)
    again = client.post("/submit/", data)
    assert again.status_code == 200
    assert by_id(again, "tracking-number") == by_id(first, "tracking-number")
    assert by_id(again, "query-code") == by_id(first, "query-code")
    assert by_id(again, "query-code")
    assert Message.objects.count() == 1


def test_the_same_message_under_a_new_token_shows_the_number_but_not_the_code(
    client: Client, regions: Any
) -> None:
    first = client.post("/submit/", form_data())
    second = client.post("/submit/", form_data())
    assert second.status_code == 200
    assert by_id(second, "tracking-number") == by_id(first, "tracking-number")
    assert by_id(second, "query-code") is None
    assert Message.objects.count() == 1


def too_many_photos() -> list[io.BytesIO]:
    return [upload(f"p{i}.jpg", jpeg_bytes()) for i in range(6)]


BAD_INPUT: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("title", lambda: {"title": ""}),
    ("title", lambda: {"title": "   "}),
    ("content", lambda: {"content": "字" * 4001}),
    ("mobile", lambda: {"mobile": "12345"}),
    ("email", lambda: {"email": "not-an-email"}),
    ("region", lambda: {"region": "999999"}),
    ("theme", lambda: {"theme": "t99"}),
    ("attachments", lambda: {"attachments": [upload("photo.jpg", b"MZ\x90\x00" + b"\0" * 200)]}),
    ("attachments", lambda: {"attachments": too_many_photos()}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD_INPUT)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(
    client: Client, regions: Any, field: str, overrides: Callable[[], dict[str, Any]]
) -> None:
    response = client.post("/submit/", form_data(**overrides()))
    assert response.status_code == 400
    assert field_errors(response, field)
    assert 'aria-invalid="true"' in field_block(response, field)
    assert Message.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert "路灯不亮" in text_of(response) or field == "title"


def test_every_mistake_is_reported_at_once(client: Client, regions: Any) -> None:
    data = form_data(title="", region="", mobile="12345", email="x@")
    response = client.post("/submit/", data)
    assert response.status_code == 400
    wrong = [
        name for name in ("title", "region", "mobile", "email") if field_errors(response, name)
    ]
    assert wrong == ["title", "region", "mobile", "email"]
    assert field_errors(response, "content") == []


def test_a_form_without_its_token_still_sends_under_a_new_one(client: Client, regions: Any) -> None:
    data = form_data()
    del data["token"]
    response = client.post("/submit/", data)
    assert response.status_code == 200
    assert by_id(response, "query-code")
    assert Message.objects.count() == 1


def test_a_disguised_program_is_named_in_the_error(client: Client, regions: Any) -> None:
    fake = upload("photo.jpg", b"MZ\x90\x00" + b"\0" * 200)
    response = client.post("/submit/", form_data(attachments=[fake]))
    assert any("photo.jpg" in error for error in field_errors(response, "attachments"))


def test_a_filled_honeypot_is_refused_and_nothing_is_saved(client: Client, regions: Any) -> None:
    response = client.post("/submit/", form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert page_errors(response)
    assert Message.objects.count() == 0


def test_a_post_without_csrf_token_is_forbidden(regions: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/submit/", form_data())
    assert response.status_code == 403
    assert Message.objects.count() == 0


@override_settings(YIWANG_RATE_SUBMIT_PER_IP="1/h")
def test_too_many_messages_from_one_address_are_refused_and_the_form_is_kept(
    client: Client, regions: Any
) -> None:
    assert client.post("/submit/", form_data()).status_code == 200
    response = client.post("/submit/", form_data(title="井盖丢失", mobile="13900139000"))
    assert response.status_code == 429
    assert page_errors(response) == [
        in_language("zh-hans", "Too many messages from this network. Please try again later.")
    ]
    assert 'value="井盖丢失"' in field_block(response, "title")
    assert Message.objects.count() == 1


# --- tracking -----------------------------------------------------------------------------------


@pytest.fixture
def sent(submit: Callable[..., SubmissionResult]) -> SubmissionResult:
    return submit(title="小区电梯长期故障")


def code_of(result: SubmissionResult) -> str:
    assert result.query_code
    return format_query_code(result.query_code)


def test_the_right_number_and_code_show_status_and_public_history(
    client: Client, sent: SubmissionResult
) -> None:
    MessageEvent.objects.create(
        message=sent.message, at=timezone.now(), kind=EventKind.NOTE, note="内部备注：勿外传"
    )
    response = track(client, sent.message.tracking_number, code_of(sent))
    assert response.status_code == 200
    assert heading(response) == "小区电梯长期故障"
    assert by_id(response, "status") == in_language("zh-hans", "Received")
    assert in_language("zh-hans", "Message received") in text_of(response)
    assert "内部备注" not in text_of(response)
    no_reply = "No reply yet. Departments reply within the time limit for your kind of message."
    assert in_language("zh-hans", no_reply) in text_of(response)


def test_the_tracking_page_shows_the_reply_once_a_supervisor_approved_it(
    client: Client, sent: SubmissionResult
) -> None:
    now = timezone.now()
    Message.objects.filter(pk=sent.message.pk).update(
        reply_text="已安排维修，预计三日内修复。", replied_at=now, state="replied"
    )
    draft = track(client, sent.message.tracking_number, code_of(sent))
    assert "已安排维修" not in text_of(draft)
    assert by_id(draft, "status") == in_language("zh-hans", "Being handled by the department")

    Message.objects.filter(pk=sent.message.pk).update(reply_approved_at=now)
    approved = track(client, sent.message.tracking_number, code_of(sent))
    assert "已安排维修，预计三日内修复。" in text_of(approved)
    assert by_id(approved, "status") == in_language("zh-hans", "Replied")


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(
    client: Client, sent: SubmissionResult
) -> None:
    wrong_code = track(client, sent.message.tracking_number, "AAAA-AAAA-AAAAA")
    unknown = track(client, "YW20990101000001", code_of(sent))
    malformed = track(client, "not a number", code_of(sent))
    expected = [in_language("zh-hans", "No message matches this tracking number and query code.")]
    for response in (wrong_code, unknown, malformed):
        assert response.status_code == 404
        assert page_errors(response) == expected
    assert "小区电梯长期故障" not in text_of(wrong_code)


def test_the_query_code_may_be_typed_in_lower_case_with_spaces_or_dashes(
    client: Client, sent: SubmissionResult
) -> None:
    raw = code_of(sent).replace("-", "")
    typed = [f"{raw[:4]} {raw[4:8]} {raw[8:]}".lower(), f"{raw[:4]}-{raw[4:8]}-{raw[8:]}".lower()]
    for code in typed:
        response = track(client, f" {sent.message.tracking_number.lower()} ", code)
        assert response.status_code == 200, code


@override_settings(YIWANG_RATE_TRACK_PER_NUMBER="2/h")
def test_too_many_look_ups_of_one_number_are_refused(
    client: Client, sent: SubmissionResult
) -> None:
    number = sent.message.tracking_number
    codes = [track(client, number, "AAAA-AAAA-AAAAA").status_code for _ in range(2)]
    last = track(client, number, code_of(sent))
    assert [*codes, last.status_code] == [404, 404, 429]
    assert page_errors(last) == [
        in_language("zh-hans", "Too many look-ups. Please wait a while and try again.")
    ]


def test_the_receipt_links_to_a_prefilled_tracking_form(client: Client, regions: Any) -> None:
    receipt = client.post("/submit/", form_data())
    number = by_id(receipt, "tracking-number")
    assert f'href="/track/?number={number}"' in text_of(receipt)
    form = client.get(f"/track/?number={number}")
    assert f'value="{number}"' in field_block(form, "tracking_number")


# --- the tracking API ---------------------------------------------------------------------------


def test_the_api_answers_the_right_number_and_code_with_the_public_view(
    client: Client, sent: SubmissionResult
) -> None:
    response = track_api(client, sent.message.tracking_number, code_of(sent).lower())
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "小区电梯长期故障"
    assert body["state"] == "new"
    assert [event["kind"] for event in body["history"]] == ["submitted"]
    assert body["reply"] is None


def test_the_api_answers_a_wrong_code_and_an_unknown_number_alike(
    client: Client, sent: SubmissionResult
) -> None:
    wrong_code = track_api(client, sent.message.tracking_number, "AAAA-AAAA-AAAAA")
    unknown = track_api(client, "YW20990101000001", code_of(sent))
    assert wrong_code.status_code == unknown.status_code == 404
    assert wrong_code.json() == unknown.json()
    assert wrong_code.json()["code"] == "not_found"
    assert wrong_code.json()["message"]


@override_settings(YIWANG_RATE_TRACK_PER_NUMBER="2/h")
def test_the_api_limits_look_ups_of_one_number(client: Client, sent: SubmissionResult) -> None:
    number = sent.message.tracking_number
    codes = [track_api(client, number, "AAAA-AAAA-AAAAA").status_code for _ in range(2)]
    last = track_api(client, f"  {number.lower()} ", code_of(sent))
    assert [*codes, last.status_code] == [404, 404, 429]
    assert last.json()["code"] == "rate_limited"
