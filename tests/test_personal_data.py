"""Citizens' personal data: encrypted at rest, masked on staff pages, revealed only on the record.

Personas: the ``clerk`` sees masked contacts; the ``supervisor`` may reveal them, giving a
reason, and every reveal is recorded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from PIL import Image

from yiwang.accounts.models import PersonalDataAccess, User
from yiwang.intake.actions import SubmissionResult
from yiwang.intake.models import Attachment, Message
from yiwang.intake.personal import unseal
from yiwang.lib.crypto import DecryptionError, generate_key_spec
from yiwang.orgs.models import Region
from yiwang.staff.queries import UNREADABLE

pytestmark = pytest.mark.django_db

Persona = Callable[[User], Client]
Submit = Callable[..., SubmissionResult]

MOBILE = "13800138000"
EMAIL = "zhang.san@example.com"
NAME = "张三"
GPS_IFD = 0x8825


@pytest.fixture
def message(submit: Submit) -> Message:
    return submit(mobile=MOBILE, email=EMAIL, contact_name=NAME).message


def reveal(client: Client, message: Message, reason: str | None = "回电核实诉求") -> Any:
    data = {} if reason is None else {"reason": reason}
    return client.post(f"/staff/messages/{message.tracking_number}/reveal", data)


def stored_row(message: Message) -> dict[str, Any]:
    return dict(Message.objects.filter(pk=message.pk).values().get())


# --- at rest ------------------------------------------------------------------------------------


def test_the_message_row_holds_no_plaintext_mobile_or_email(message: Message) -> None:
    for column, value in stored_row(message).items():
        text = str(value)
        assert MOBILE not in text, column
        assert EMAIL not in text, column
        assert "zhang.san" not in text, column
    row = stored_row(message)
    assert row["mobile_encrypted"].startswith("v1.test2.")
    assert row["email_encrypted"].startswith("v1.test2.")


def test_no_table_in_the_database_holds_the_plaintext_mobile_or_email(message: Message) -> None:
    for model in apps.get_models():
        for row in model._default_manager.values():
            for column, value in row.items():
                text = str(value)
                assert MOBILE not in text, f"{model.__name__}.{column}"
                assert EMAIL not in text, f"{model.__name__}.{column}"


def test_the_encrypted_contact_decrypts_to_what_the_citizen_sent(message: Message) -> None:
    row = stored_row(message)
    assert unseal("mobile", row["mobile_encrypted"]) == MOBILE
    assert unseal("email", row["email_encrypted"]) == EMAIL


def test_a_tampered_ciphertext_raises_a_decryption_error(message: Message) -> None:
    token = stored_row(message)["mobile_encrypted"]
    head, payload = token.rsplit(".", 1)
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    with pytest.raises(DecryptionError):
        unseal("mobile", f"{head}.{flipped}")


def test_a_ciphertext_moved_to_another_field_does_not_decrypt(message: Message) -> None:
    token = stored_row(message)["mobile_encrypted"]
    with pytest.raises(DecryptionError):
        unseal("email", token)


# --- masked on staff pages ----------------------------------------------------------------------


def test_a_clerk_sees_the_contact_masked(signed_in: Persona, clerk: User, message: Message) -> None:
    page = signed_in(clerk).get(f"/staff/messages/{message.tracking_number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "138****8000" in html
    assert "z***@example.com" in html
    assert "张**" in html
    assert MOBILE not in html
    assert EMAIL not in html
    assert NAME not in html


def test_the_list_page_and_the_staff_api_show_no_contact_at_all(
    signed_in: Persona, supervisor: User, message: Message
) -> None:
    client = signed_in(supervisor)
    for url in ("/staff/messages/", f"/api/v1/staff/messages/{message.tracking_number}"):
        body = client.get(url).content.decode()
        assert MOBILE not in body
        assert "138****" not in body
        assert "example.com" not in body


def test_the_supervisor_sees_the_contact_masked_until_they_reveal_it(
    signed_in: Persona, supervisor: User, message: Message
) -> None:
    html = signed_in(supervisor).get(f"/staff/messages/{message.tracking_number}/").content
    assert b"138****8000" in html
    assert MOBILE.encode() not in html
    assert not PersonalDataAccess.objects.exists()


# --- reveals ------------------------------------------------------------------------------------


def test_the_supervisor_reveals_the_contact_with_a_reason_and_the_look_is_recorded(
    signed_in: Persona, supervisor: User, message: Message
) -> None:
    response = reveal(signed_in(supervisor), message, "回电核实诉求")
    assert response.status_code == 200
    html = response.content.decode()
    assert MOBILE in html
    assert EMAIL in html
    assert NAME in html
    access = PersonalDataAccess.objects.get()
    assert access.user == supervisor
    assert access.message == message
    assert access.fields == ["name", "mobile", "email"]
    assert access.reason == "回电核实诉求"
    assert access.ip_address == "127.0.0.1"


def test_each_reveal_writes_exactly_one_record(
    signed_in: Persona, supervisor: User, message: Message
) -> None:
    client = signed_in(supervisor)
    reveal(client, message, "第一次回电")
    assert PersonalDataAccess.objects.count() == 1
    reveal(client, message, "第二次回电")
    assert list(PersonalDataAccess.objects.order_by("pk").values_list("reason", flat=True)) == [
        "第一次回电",
        "第二次回电",
    ]


def test_only_the_fields_the_citizen_gave_are_recorded(
    signed_in: Persona, supervisor: User, submit: Submit
) -> None:
    message = submit(mobile=MOBILE, email="", contact_name="").message
    reveal(signed_in(supervisor), message)
    assert PersonalDataAccess.objects.get().fields == ["mobile"]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_reveal_without_a_reason_is_refused_and_records_nothing(
    reason: str | None, signed_in: Persona, supervisor: User, message: Message
) -> None:
    response = reveal(signed_in(supervisor), message, reason)
    assert response.status_code == 400
    assert MOBILE not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_a_clerk_may_not_reveal_and_nothing_is_recorded(
    signed_in: Persona, clerk: User, message: Message
) -> None:
    response = reveal(signed_in(clerk), message, "想看看")
    assert response.status_code == 403
    assert MOBILE not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_a_department_head_may_not_reveal_their_own_departments_contacts(
    signed_in: Persona, dept_head: User, message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    assert reveal(signed_in(dept_head), message).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_a_reveal_must_be_posted(signed_in: Persona, supervisor: User, message: Message) -> None:
    url = f"/staff/messages/{message.tracking_number}/reveal"
    assert signed_in(supervisor).get(url, {"reason": "x"}).status_code == 405
    assert not PersonalDataAccess.objects.exists()


# --- key rotation -------------------------------------------------------------------------------


def test_rotating_keys_re_encrypts_under_the_first_key_and_the_data_still_decrypts(
    message: Message,
) -> None:
    new_ring = f"{generate_key_spec('new')},{settings.YIWANG_PII_KEYS}"
    with override_settings(YIWANG_PII_KEYS=new_ring):
        out = io.StringIO()
        call_command("rotate_pii_keys", stdout=out)
        assert "1 messages re-encrypted" in out.getvalue()
        row = stored_row(message)
        assert row["mobile_encrypted"].startswith("v1.new.")
        assert row["email_encrypted"].startswith("v1.new.")
        assert unseal("mobile", row["mobile_encrypted"]) == MOBILE
        assert unseal("email", row["email_encrypted"]) == EMAIL
        again = io.StringIO()
        call_command("rotate_pii_keys", stdout=again)
        assert "0 messages re-encrypted" in again.getvalue()
    with pytest.raises(DecryptionError):  # the old ring does not know the new key
        unseal("mobile", row["mobile_encrypted"])


def test_rotation_reaches_messages_under_an_older_key_too(submit: Submit) -> None:
    older = "test1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
    with override_settings(YIWANG_PII_KEYS=older):
        old_message = submit(mobile="13900139000", title="老钥匙加密的留言").message
    with override_settings(
        YIWANG_PII_KEYS=f"{generate_key_spec('new')},{settings.YIWANG_PII_KEYS}"
    ):
        call_command("rotate_pii_keys", stdout=io.StringIO())
        row = stored_row(old_message)
        assert row["mobile_encrypted"].startswith("v1.new.")
        assert unseal("mobile", row["mobile_encrypted"]) == "13900139000"


def test_after_rotation_the_staff_page_still_shows_the_masked_contact(
    signed_in: Persona, clerk: User, message: Message
) -> None:
    with override_settings(
        YIWANG_PII_KEYS=f"{generate_key_spec('new')},{settings.YIWANG_PII_KEYS}"
    ):
        call_command("rotate_pii_keys", stdout=io.StringIO())
        html = signed_in(clerk).get(f"/staff/messages/{message.tracking_number}/").content
    assert b"138****8000" in html


# --- attachments --------------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 9.0, 0.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the photo does carry GPS
    return data


@pytest.fixture
def uploaded(client: Client, regions: dict[str, Region]) -> Attachment:
    response = client.post(
        "/api/v1/messages",
        {
            "title": "路面塌陷",
            "content": "文三路与学院路交叉口路面塌陷，已有车辆受损，请尽快处理。",
            "nature": "report",
            "region": "330106",
            "mobile": MOBILE,
            "attachments": SimpleUploadedFile("IMG_0001.JPG", jpeg_with_gps(), "image/jpeg"),
        },
    )
    assert response.status_code == 201, response.content
    return Attachment.objects.get(message__tracking_number=response.json()["tracking_number"])


def test_a_stored_photo_has_no_exif_and_no_gps_position(uploaded: Attachment) -> None:
    with uploaded.file.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert b"PhoneMaker" not in data
    assert b"Exif" not in data
    assert uploaded.size == len(data)


def test_attachments_are_stored_outside_any_public_folder(uploaded: Attachment) -> None:
    storages: dict[str, Any] = settings.STORAGES
    assert storages["default"]["OPTIONS"]["base_url"] is None
    location = default_storage.path(uploaded.file.name)
    assert location.startswith(str(settings.PRIVATE_STORAGE_DIR))
    assert not location.startswith(str(settings.STATIC_ROOT))


def test_no_public_url_serves_an_attachment(client: Client, uploaded: Attachment) -> None:
    name = uploaded.file.name
    for url in (f"/media/{name}", f"/{name}", f"/static/{name}", f"/attachments/{name}"):
        assert client.get(url).status_code == 404, url


def test_someone_signed_out_cannot_download_an_attachment(
    client: Client, uploaded: Attachment
) -> None:
    response = client.get(f"/staff/attachments/{uploaded.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_damaged_contact_shows_as_unreadable_instead_of_failing_the_page(
    supervisor: User, signed_in: Callable[[User], Client], message_for: Callable[..., Message]
) -> None:
    message = message_for("housing")
    Message.objects.filter(pk=message.pk).update(mobile_encrypted="v1.gone.AAAA")
    response = signed_in(supervisor).get(f"/staff/messages/{message.tracking_number}/")
    assert response.status_code == 200
    assert response.context["contact"]["mobile"] == str(UNREADABLE)


def test_attachments_have_no_url_at_all() -> None:
    with pytest.raises(NotImplementedError):
        default_storage.url("attachments/ab/abc.jpg")
