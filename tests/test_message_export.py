"""The message list exported to XLSX: scope, filters, contact columns, formula injection."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from yiwang.accounts.models import PersonalDataAccess, User
from yiwang.intake.models import Message, MessageState

pytestmark = pytest.mark.django_db
Persona = Callable[[User], Client]
XLSX = "/en/staff/messages/export.xlsx"


def sheet_rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def housing_and_transport(message_for: Callable[..., Message]) -> tuple[Message, Message]:
    housing = message_for("housing", title="小区电梯坏了", contact_name="王小明")
    transport = message_for(
        "transport", title="公交晚点", content="12路公交车总是晚点半小时以上，上班经常迟到。"
    )
    return housing, transport


def test_staff_with_the_personal_data_permission_get_the_contact_columns_decrypted(
    signed_in: Persona, supervisor: User, housing_and_transport: tuple[Message, Message]
) -> None:
    rows = sheet_rows(signed_in(supervisor).get(XLSX))
    housing = next(r for r in rows if r["Title"] == "小区电梯坏了")
    assert (housing["Contact name"], housing["Mobile"]) == ("王小明", "13800138000")


def test_an_export_with_contact_columns_is_recorded_as_a_look_at_each_messages_data(
    signed_in: Persona, supervisor: User, housing_and_transport: tuple[Message, Message]
) -> None:
    sheet_rows(signed_in(supervisor).get(XLSX))
    looks = PersonalDataAccess.objects.filter(user=supervisor)
    assert {look.message_id for look in looks} == {m.pk for m in housing_and_transport}
    assert "mobile" in looks[0].fields


def test_staff_without_the_permission_get_no_contact_columns_and_no_look_is_recorded(
    signed_in: Persona, dept_head: User, housing_and_transport: tuple[Message, Message]
) -> None:
    rows = sheet_rows(signed_in(dept_head).get(XLSX))
    assert "Mobile" not in rows[0]
    assert "13800138000" not in str(rows)
    assert not PersonalDataAccess.objects.exists()


def test_without_the_permission_personal_data_in_the_text_goes_out_masked(
    signed_in: Persona,
    supervisor: User,
    dept_head: User,
    message_for: Callable[..., Message],
) -> None:
    content = "我叫王小明，电话13912345678，住在阳光小区3栋2单元501室，电梯坏了。"
    message_for("housing", title="王小明先生的来信", content=content)
    (masked,) = sheet_rows(signed_in(dept_head).get(XLSX))
    assert masked["Content"] == "我叫王某某，电话139****5678，住在***，电梯坏了。"
    assert masked["Title"] == "王先生的来信"
    (full,) = sheet_rows(signed_in(supervisor).get(XLSX))
    assert full["Content"] == content


def test_the_export_holds_only_the_messages_the_person_may_see(
    signed_in: Persona, dept_head: User, housing_and_transport: tuple[Message, Message]
) -> None:
    rows = sheet_rows(signed_in(dept_head).get(XLSX))
    assert [r["Tracking number"] for r in rows] == [housing_and_transport[0].tracking_number]


def test_the_export_applies_the_lists_filters(
    signed_in: Persona, supervisor: User, housing_and_transport: tuple[Message, Message]
) -> None:
    housing, _transport = housing_and_transport
    Message.objects.filter(pk=housing.pk).update(state=MessageState.TRIAGED)
    rows = sheet_rows(signed_in(supervisor).get(XLSX, {"state": "triaged"}))
    assert [r["Tracking number"] for r in rows] == [housing.tracking_number]


def test_a_title_that_is_a_formula_is_exported_as_harmless_text(
    signed_in: Persona, supervisor: User, message_for: Callable[..., Message]
) -> None:
    message_for("housing", title="=cmd|' /C calc'!A0", contact_name="@SUM(A1)")
    rows = sheet_rows(signed_in(supervisor).get(XLSX))
    assert rows[0]["Title"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["Contact name"] == "'@SUM(A1)"


def test_the_csv_export_neutralises_formulas_too(
    signed_in: Persona, supervisor: User, message_for: Callable[..., Message]
) -> None:
    message_for("housing", title="+1+1 电梯维修费用")
    response: Any = signed_in(supervisor).get("/staff/messages/export.csv")
    assert "'+1+1 电梯维修费用" in b"".join(response.streaming_content).decode()


def test_staff_without_the_export_permission_cannot_export(
    signed_in: Persona, clerk: User, housing_and_transport: tuple[Message, Message]
) -> None:
    assert signed_in(clerk).get(XLSX).status_code == 403
