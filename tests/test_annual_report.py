"""The annual report on government information disclosure (issue 9, part 5): table 2 from the
rules published and repealed, table 3 from the requests with the balance enforced, table 4
and the other outside figures entered by staff; bad figures refused with nothing saved; who
may edit and make it final; the .xlsx and PDF; the pages; the deadline reminders."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.utils import translation

from yiwang.accounts.models import User
from yiwang.disclosure import actions
from yiwang.disclosure import annual_report as ar
from yiwang.disclosure import request_actions as ra
from yiwang.disclosure.actions import Content
from yiwang.disclosure.annual_report import ReportError
from yiwang.disclosure.models import (
    AnnualReport,
    Attribute,
    Information,
    InformationRequest,
    ReportState,
    RequestChannel,
)
from yiwang.disclosure.report_export import report_pdf, report_xlsx
from yiwang.disclosure.report_reminders import do_remind_annual_reports, remind_annual_reports
from yiwang.notify.models import OutboxItem
from yiwang.orgs.models import Department

from .conftest import _staff

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPORTS = "/en/staff/disclosure/reports/"
REPORT_DAY = dt.date(2027, 1, 15)  # the departments' report for 2026 is due on 31 January


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def body(departments: dict[str, Department]) -> Department:
    return departments["housing"]


@pytest.fixture
def officer(body: Department) -> User:
    return _staff("disclosure_officer", ["disclosure_officer"], body)


@pytest.fixture
def head(body: Department) -> User:
    head = _staff("disclosure_head", ["disclosure_head"], body)
    head.email = "head@example.cn"
    head.save(update_fields=["email"])
    return head


@pytest.fixture
def other_body_officer(departments: dict[str, Department]) -> User:
    return _staff("transport_officer", ["disclosure_officer"], departments["transport"])


# --- Building the year 2026 -----------------------------------------------------------------------


def rule(on: dt.date, **overrides: Any) -> Content:
    fields: dict[str, Any] = {
        "kind": "policy",
        "category": "rules",
        "openness": "decision",
        "attribute": Attribute.PROACTIVE,
        "title": "关于规范住房租赁市场的通知",
        "generated_on": on,
    }
    fields.update(overrides)
    return Content(**fields)


def published(officer: User, head: User, on: dt.date, **overrides: Any) -> Information:
    assert officer.department is not None
    with at(on):
        info = actions.do_draft(officer, officer.department, rule(on, **overrides))
        actions.do_submit(officer, info.pk)
        return actions.do_approve(head, info.pk)


def received(body: Department, kind: str, on: dt.date) -> InformationRequest:
    asking = ra.RequestInput(
        applicant_kind=kind,
        applicant_name="申请人",
        identifier="11010519491231002X",
        description=f"公租房分配名单（{on.isoformat()}）",  # not a repeat of another
        delivery="email",
        email="a@example.cn",
    )
    with at(on):
        return ra.do_submit_request(body, asking, RequestChannel.IN_PERSON)


def answered(
    officer: User, item: InformationRequest, on: dt.date, reply: str, *, partial: bool = False
) -> None:
    with at(on):
        ra.do_answer(officer, item.pk, reply, "答复内容", partial=partial, on=on)


@pytest.fixture
def requests_2026(body: Department, officer: User, departments: dict[str, Department]) -> None:
    """Requests of several applicants: one carried over from 2025, one carried forward."""
    done_in_2025 = received(body, "person", dt.date(2025, 12, 1))
    answered(officer, done_in_2025, dt.date(2025, 12, 15), "disclosed")
    carried_over = received(body, "person", dt.date(2025, 12, 22))
    answered(officer, carried_over, dt.date(2026, 1, 8), "disclosed")
    answered(
        officer,
        received(body, "business", dt.date(2026, 3, 2)),
        dt.date(2026, 3, 10),
        "not_disclosed",
    )
    answered(
        officer,
        received(body, "person", dt.date(2026, 5, 6)),
        dt.date(2026, 5, 12),
        "disclosed",
        partial=True,
    )
    answered(
        officer,
        received(body, "research", dt.date(2026, 6, 1)),
        dt.date(2026, 6, 5),
        "does_not_exist",
    )
    lapsing = received(body, "legal", dt.date(2026, 7, 1))
    with at(dt.date(2026, 7, 2)):
        ra.do_ask_correction(
            officer, lapsing.pk, dt.date(2026, 7, 2), dt.date(2026, 7, 10), "写明文号"
        )
    assert ra.do_lapse_due(dt.date(2026, 7, 11)) == 1
    answered(officer, received(body, "other", dt.date(2026, 9, 1)), dt.date(2026, 9, 3), "repeated")
    received(body, "person", dt.date(2026, 12, 21))  # not answered by the year's end
    received(departments["transport"], "person", dt.date(2026, 4, 1))  # another body's
    with at(dt.date(2026, 12, 30)):  # online and never confirmed: not received
        ra.do_submit_request(
            body,
            ra.RequestInput("person", "某", "x", "y", "email", email="b@example.cn"),
            RequestChannel.ONLINE,
        )


def counts(body: Department) -> ar.Table3:
    return ar.table3(ar.request_counts(body, 2026), {})


# --- Table 2 ----------------------------------------------------------------------------------


def test_table_2_counts_the_rules_and_normative_documents_issued_repealed_and_in_force(
    db: None, body: Department, officer: User, head: User
) -> None:
    published(officer, head, dt.date(2025, 6, 2), kind="regulation")  # in force, issued before
    published(officer, head, dt.date(2026, 3, 3))  # issued and in force
    repealed = published(officer, head, dt.date(2025, 5, 6))
    with at(dt.date(2026, 8, 3)):
        actions.do_repeal(head, repealed.pk, dt.date(2026, 8, 1))
    withdrawn = published(officer, head, dt.date(2026, 4, 1))
    with at(dt.date(2026, 9, 1)):
        actions.do_withdraw(head, withdrawn.pk, "内容有误")
    published(officer, head, dt.date(2026, 5, 6), valid_until=dt.date(2026, 10, 31))  # expired
    published(officer, head, dt.date(2026, 2, 2), category="plans")  # not a rule
    published(officer, head, dt.date(2027, 1, 5))  # the next year's
    with at(REPORT_DAY):
        table = ar.compute_tables(body, 2026, {}).table2
    assert table.regulations == ar.DocumentCounts(issued=0, repealed=0, in_force=1)
    assert table.normative == ar.DocumentCounts(issued=3, repealed=1, in_force=1)
    assert (table.licensing, table.penalties, table.enforcement, table.fees) == (
        0,
        0,
        0,
        Decimal(0),
    )


# --- Table 3 ----------------------------------------------------------------------------------


def test_table_2_adds_the_documents_issued_before_the_platform_that_staff_enter(
    db: None, body: Department, officer: User, head: User
) -> None:
    published(officer, head, dt.date(2026, 3, 3), kind="regulation")
    earlier = {
        "t2.regulations_earlier_repealed": 2,
        "t2.regulations_earlier_in_force": 40,
        "t2.normative_earlier_in_force": 7,
    }
    with at(REPORT_DAY):
        ar.do_save_report(officer, body, 2026, earlier)
        final = ar.do_finalise_report(head, body, 2026)
    two = ar.report_tables(body, 2026, final).table2
    assert (two.regulations.issued, two.regulations.repealed, two.regulations.in_force) == (
        1,
        2,
        41,
    )
    assert two.normative.in_force == 7
    assert two.regulations_earlier_in_force == 40  # kept with the final tables


def test_a_report_made_final_before_the_earlier_documents_existed_still_reads() -> None:
    stored = {
        "table2": {
            "regulations": {"issued": 1, "repealed": 0, "in_force": 3},
            "normative": {"issued": 0, "repealed": 0, "in_force": 0},
            "licensing": 0,
            "penalties": 0,
            "enforcement": 0,
            "fees": "0",
        },
        "table3": {"cells": {}},
        "table4": {
            group: {key: 0 for key, _label in ar.OUTCOMES} | {"total": 0}
            for group, _label in ar.GROUPS
        },
    }
    read = ar.AnnualTables.from_json(stored)
    assert read.table2.regulations.in_force == 3
    assert read.table2.regulations_earlier_in_force == 0


def test_table_3_counts_requests_by_applicant_with_those_carried_over_and_forward(
    db: None, body: Department, requests_2026: None
) -> None:
    table = counts(body)
    assert table["new"] == {
        "person": 2,
        "business": 1,
        "research": 1,
        "nonprofit": 0,
        "legal": 1,
        "other": 1,
        "total": 6,
    }
    assert table["carried_over"]["person"] == table["carried_over"]["total"] == 1
    assert table["carried_forward"]["person"] == table["carried_forward"]["total"] == 1
    assert table["results_total"]["total"] == 6
    ar.check_balance(table)


def test_each_answer_is_counted_in_its_result_row(
    db: None, body: Department, requests_2026: None
) -> None:
    table = counts(body)
    assert table["disclosed"]["person"] == 1  # the request carried over from 2025
    assert table["partial"]["person"] == 1
    assert table["withheld_secret"]["business"] == 1  # the reason is split by hand
    assert table["unavailable_not_held"]["research"] == 1
    assert table["not_handled_repeated"]["other"] == 1
    assert table["other_no_correction"]["legal"] == 1  # lapsed for want of a correction


def grid(**cells: dict[str, int]) -> ar.Table3:
    rows = {
        row: dict.fromkeys(ar.APPLICANTS, 0) for row in ar.TABLE3_ROWS if row != "results_total"
    }
    for row, columns in cells.items():
        rows[row].update(columns)
    return ar.Table3.with_totals(rows)


def test_the_balance_check_names_the_first_column_that_does_not_balance() -> None:
    table = grid(
        new={"person": 12, "legal": 1},
        carried_over={"person": 3},
        disclosed={"person": 10},
        carried_forward={"person": 4},
    )
    with pytest.raises(ReportError) as refused:
        ar.check_balance(table)
    assert refused.value.message.startswith("Table 3 does not balance for 自然人: 12 + 3 ≠ 10 + 4")


def test_the_balance_check_refuses_a_negative_figure_and_a_total_that_is_not_the_sum() -> None:
    negative = grid(new={"person": 1}, disclosed={"person": 2}, withheld_law={"person": -1})
    with pytest.raises(
        ReportError, match=re.escape("negative figure in 2.其他法律行政法规禁止公开, 自然人")
    ):
        ar.check_balance(negative)
    wrong_total = grid(new={"person": 1}, disclosed={"person": 1})
    wrong_total.cells["new"]["total"] = 5
    with pytest.raises(ReportError, match="一、本年新收政府信息公开申请数量 for 总计 is 5"):
        ar.check_balance(wrong_total)


# --- Editing --------------------------------------------------------------------------------


def test_staff_split_refusals_by_reason_and_enter_the_outside_figures(
    db: None, body: Department, officer: User, requests_2026: None
) -> None:
    edits = {
        "t3.withheld_secret.business": 0,
        "t3.withheld_third_party.business": 1,
        "t2.licensing": "120",
        "t2.fees": "12.3456",
        "t4.review.upheld": 2,
        "t4.lawsuit_direct.pending": 1,
    }
    with at(REPORT_DAY):
        report = ar.do_save_report(officer, body, 2026, edits)
        tables = ar.report_tables(body, 2026, report)
    assert tables.table3["withheld_third_party"]["business"] == 1
    assert tables.table3["withheld_secret"]["business"] == 0
    assert (tables.table2.licensing, tables.table2.fees) == (120, Decimal("12.3456"))
    assert tables.table4.review == ar.Outcomes(2, 0, 0, 0, 2)
    assert tables.table4.lawsuit_direct.total == 1
    ar.check_balance(tables.table3)
    assert (report.state, report.created_by, report.updated_by) == ("draft", officer, officer)


def test_a_cell_left_as_the_data_has_it_follows_the_data(
    db: None, body: Department, officer: User, requests_2026: None
) -> None:
    figures = ar.entered_figures(ar.compute_tables(body, 2026, {}))
    with at(REPORT_DAY):
        report = ar.do_save_report(officer, body, 2026, figures)
    assert not any(key.startswith("t3.") for key in report.figures)


def test_an_edit_that_unbalances_table_3_is_refused_naming_the_column_and_saves_nothing(
    db: None, body: Department, officer: User, requests_2026: None
) -> None:
    with at(REPORT_DAY):
        ar.do_save_report(officer, body, 2026, {"t2.licensing": 5})
        with pytest.raises(ReportError) as refused:
            ar.do_save_report(
                officer, body, 2026, {"t3.withheld_law.business": 1, "t2.licensing": 9}
            )
    assert "Table 3 does not balance for 商业企业: 1 + 0 ≠ 2 + 0" in refused.value.message
    assert AnnualReport.objects.get().figures == {"t2.licensing": 5}


def test_a_first_save_that_is_refused_leaves_no_report(
    db: None, body: Department, officer: User, requests_2026: None
) -> None:
    with at(REPORT_DAY), pytest.raises(ReportError, match="自然人"):
        ar.do_save_report(officer, body, 2026, {"t3.disclosed.person": 0})
    assert not AnnualReport.objects.exists()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("t4.review.upheld", -1, "cannot be negative"),
        ("t4.review.upheld", "-3", "cannot be negative"),
        ("t2.licensing", "1.5", "whole number"),
        ("t2.licensing", 1.0, "whole number"),
        ("t2.licensing", "十", "whole number"),
        ("t2.licensing", True, "whole number"),
        ("t2.licensing", "", "whole number"),
        ("t2.licensing", 10**12, "too large"),
        ("t2.fees", "-0.5", "cannot be negative"),
        ("t2.fees", "1.23456", "four decimal places"),
        ("t2.fees", "1e3", "four decimal places"),
        ("t3.new.person", 3, "no figure called"),
        ("t9.anything", 1, "no figure called"),
    ],
)
def test_a_bad_figure_is_refused_naming_it_and_nothing_is_saved(
    db: None, body: Department, officer: User, key: str, value: object, message: str
) -> None:
    with at(REPORT_DAY), pytest.raises(ReportError, match=message) as refused:
        ar.do_save_report(officer, body, 2026, {"t2.penalties": 4, key: value})
    assert refused.value.field == key
    assert not AnnualReport.objects.exists()


# --- Who may do what, and making it final -------------------------------------------------


def test_only_the_bodys_disclosure_office_edits_and_only_its_head_makes_it_final(
    db: None,
    body: Department,
    officer: User,
    head: User,
    other_body_officer: User,
    dept_officer: User,
) -> None:
    with at(REPORT_DAY):
        for stranger in (other_body_officer, dept_officer):
            with pytest.raises(PermissionError):
                ar.do_save_report(stranger, body, 2026, {"t2.licensing": 1})
        with pytest.raises(PermissionError):
            ar.do_finalise_report(officer, body, 2026)
        ar.do_save_report(head, body, 2026, {"t2.licensing": 1})
        report = ar.do_finalise_report(head, body, 2026)
    assert (report.state, report.finalised_by) == (ReportState.FINAL, head)


def test_a_final_report_is_locked_and_keeps_its_tables(
    db: None, body: Department, officer: User, head: User
) -> None:
    repealed = published(officer, head, dt.date(2026, 3, 3))
    with at(REPORT_DAY):
        ar.do_finalise_report(head, body, 2026)
        with pytest.raises(ReportError, match="final"):
            ar.do_save_report(officer, body, 2026, {"t2.licensing": 1})
        with pytest.raises(ReportError, match="final"):
            ar.do_finalise_report(head, body, 2026)
        actions.do_repeal(head, repealed.pk, dt.date(2026, 12, 1))  # recorded late
        report = AnnualReport.objects.get()
        assert ar.report_tables(body, 2026, report).table2.normative.in_force == 1
        assert ar.compute_tables(body, 2026, {}).table2.normative.in_force == 0


def test_the_head_reopens_a_final_report_with_a_reason_and_its_final_tables_are_kept(
    db: None, body: Department, officer: User, head: User
) -> None:
    repealed = published(officer, head, dt.date(2026, 3, 3))
    with at(REPORT_DAY):
        ar.do_finalise_report(head, body, 2026)
        actions.do_repeal(head, repealed.pk, dt.date(2026, 12, 1))  # recorded late
        reopened = ar.do_reopen_report(head, body, 2026, "  漏报一件废止文件  ")
        ar.do_save_report(officer, body, 2026, {"t2.licensing": 3})  # a draft again
        corrected = ar.do_finalise_report(head, body, 2026)
    assert reopened.state == ReportState.DRAFT
    [earlier] = corrected.earlier
    assert earlier["reason"] == "漏报一件废止文件"
    assert (earlier["finalised_by"], earlier["reopened_by"]) == (head.pk, head.pk)
    assert earlier["tables"]["table2"]["normative"]["in_force"] == 1  # as first made final
    final = ar.report_tables(body, 2026, corrected).table2
    assert final.normative.in_force == 0  # the correction counts the late repeal
    assert corrected.figures["t2.licensing"] == 3


@pytest.mark.parametrize("reason", ["", "   ", "长" * 501])
def test_a_reopening_without_a_reason_or_with_an_overlong_one_is_refused(
    db: None, body: Department, head: User, reason: str
) -> None:
    with at(REPORT_DAY):
        ar.do_finalise_report(head, body, 2026)
        with pytest.raises(ReportError) as refused:
            ar.do_reopen_report(head, body, 2026, reason)
    assert refused.value.field == "reason"
    assert AnnualReport.objects.get().state == ReportState.FINAL


def test_only_the_head_reopens_and_only_a_final_report(
    db: None, body: Department, officer: User, head: User
) -> None:
    with at(REPORT_DAY):
        with pytest.raises(ReportError, match="final"):
            ar.do_reopen_report(head, body, 2026, "更正")  # none yet
        ar.do_save_report(officer, body, 2026, {"t2.licensing": 1})
        with pytest.raises(ReportError, match="final"):
            ar.do_reopen_report(head, body, 2026, "更正")  # a draft
        ar.do_finalise_report(head, body, 2026)
        with pytest.raises(PermissionError):
            ar.do_reopen_report(officer, body, 2026, "更正")
    assert AnnualReport.objects.get().earlier == []


def test_the_head_reopens_the_report_on_its_page(
    db: None,
    body: Department,
    officer: User,
    head: User,
    signed_in: Callable[[User], Client],
) -> None:
    with at(REPORT_DAY):
        ar.do_finalise_report(head, body, 2026)
        assert 'id="reopen"' not in signed_in(officer).get(f"{REPORTS}2026/").content.decode()
        client = signed_in(head)
        assert 'id="reopen"' in client.get(f"{REPORTS}2026/").content.decode()
        refused = client.post(f"{REPORTS}2026/reopen", {"reason": ""})
        done = client.post(f"{REPORTS}2026/reopen", {"reason": "Table 4 was missing a lawsuit"})
        page = client.get(f"{REPORTS}2026/").content.decode()
        by_officer = signed_in(officer).post(f"{REPORTS}2026/reopen", {"reason": "x"})
    assert refused.status_code == 400
    assert "Say why the final report is reopened." in refused.content.decode()
    assert done.status_code == 302
    assert 'name="t2.licensing"' in page  # editable again
    assert "Table 4 was missing a lawsuit" in page  # the earlier final version is listed
    assert by_officer.status_code == 403


def test_a_report_that_no_longer_balances_is_said_so_and_cannot_be_made_final(
    db: None,
    body: Department,
    officer: User,
    head: User,
    signed_in: Callable[[User], Client],
    requests_2026: None,
) -> None:
    split = {"t3.withheld_secret.business": 0, "t3.withheld_law.business": 1}
    with at(dt.date(2026, 12, 22)):
        ar.do_save_report(officer, body, 2026, split)
    # Another refusal after the split: the split no longer accounts for every request.
    late = received(body, "business", dt.date(2026, 12, 22))
    answered(officer, late, dt.date(2026, 12, 23), "not_disclosed")
    with at(REPORT_DAY):
        client = signed_in(head)
        page = client.get(f"{REPORTS}2026/").content.decode()
        refused = client.post(f"{REPORTS}2026/finalise")
    assert 'id="unbalanced"' in page
    assert "Table 3 does not balance for 商业企业: 2 + 0 ≠ 1 + 0" in page
    assert refused.status_code == 400
    assert "Table 3 does not balance for 商业企业" in refused.content.decode()
    assert AnnualReport.objects.get().state == ReportState.DRAFT


def test_a_year_cannot_be_made_final_before_it_ends_nor_a_report_made_for_the_future(
    db: None, body: Department, head: User
) -> None:
    with at(dt.date(2026, 12, 30)):
        with pytest.raises(ReportError, match="after the year has ended"):
            ar.do_finalise_report(head, body, 2026)
        with pytest.raises(ReportError, match="no annual report for 2027"):
            ar.do_save_report(head, body, 2027, {})
    assert not AnnualReport.objects.exists()


# --- Exports ----------------------------------------------------------------------------------


@pytest.fixture
def tables(db: None, body: Department, officer: User, requests_2026: None) -> ar.AnnualTables:
    with at(REPORT_DAY):
        ar.do_save_report(
            officer, body, 2026, {"t2.fees": "3.5", "t4.lawsuit_after_review.corrected": 2}
        )
        return ar.report_tables(body, 2026, AnnualReport.objects.get())


def test_the_xlsx_has_one_sheet_per_table_with_the_numbers(tables: ar.AnnualTables) -> None:
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(tables, "杭州市住房保障和房产管理局")))
    assert book.sheetnames == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    two, three, four = (book[name] for name in book.sheetnames)
    fees = next(row for row in two.iter_rows(values_only=True) if row[0] == "行政事业性收费")
    assert fees[1] == 3.5
    new = next(row for row in three.iter_rows(values_only=True) if str(row[0]).startswith("一、"))
    assert new[1:] == (2, 1, 1, 0, 1, 1, 6)
    assert three["B4"].value == "自然人"
    assert three["C4"].value == "法人或其他组织"
    last = list(four.iter_rows(values_only=True))[-1]
    assert last[10:15] == (0, 2, 0, 0, 2)


def test_the_pdf_is_a_pdf(tables: ar.AnnualTables) -> None:
    data = report_pdf(tables, "杭州市住房保障和房产管理局2026年政府信息公开工作年度报告")
    assert data.startswith(b"%PDF")


# --- The pages --------------------------------------------------------------------------------


def test_the_office_lists_its_reports_by_year(
    db: None,
    body: Department,
    officer: User,
    signed_in: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    with at(REPORT_DAY):
        client = signed_in(officer)
        for year in (2024, 2025):
            ar.do_save_report(officer, body, year, {"t2.licensing": 1})
        client.get(REPORTS)  # the session, once
        with django_assert_num_queries(7):  # session, user, permissions ×2, body, reports, notices
            page = client.get(REPORTS)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Annual report 2026") < html.index("Annual report 2025")
    assert "Annual report 2024" in html
    assert "Not started" in html


def test_the_report_page_shows_the_tables_and_saves_good_figures(
    db: None,
    body: Department,
    officer: User,
    signed_in: Callable[[User], Client],
    requests_2026: None,
) -> None:
    with at(REPORT_DAY):
        client = signed_in(officer)
        page = client.get(f"{REPORTS}2026/")
        assert page.status_code == 200
        form = page.context["form"]
        data = {key: str(form[key].value()) for key in ar.FIGURE_LABELS}
        data |= {"t2.penalties": "7", "t3.withheld_secret.business": "0"}
        data |= {"t3.withheld_process.business": "1"}
        saved = client.post(f"{REPORTS}2026/", data)
    assert saved.status_code == 302
    report = AnnualReport.objects.get()
    assert report.figures["t2.penalties"] == 7
    assert report.figures["t3.withheld_process.business"] == 1
    assert "一、本年新收政府信息公开申请数量" in page.content.decode()


def test_a_bad_figure_on_the_page_is_shown_beside_it_and_nothing_is_saved(
    db: None, body: Department, officer: User, signed_in: Callable[[User], Client]
) -> None:
    with at(REPORT_DAY):
        client = signed_in(officer)
        data = dict.fromkeys(ar.FIGURE_LABELS, "0") | {"t4.review.upheld": "-2"}
        refused = client.post(f"{REPORTS}2026/", data)
    assert refused.status_code == 400
    assert 'id="id_t4.review.upheld_error"' in refused.content.decode()
    assert not AnnualReport.objects.exists()


def test_an_unbalanced_table_3_on_the_page_is_named_at_the_top(
    db: None,
    body: Department,
    officer: User,
    signed_in: Callable[[User], Client],
    requests_2026: None,
) -> None:
    with at(REPORT_DAY):
        client = signed_in(officer)
        form = client.get(f"{REPORTS}2026/").context["form"]
        data = {key: str(form[key].value()) for key in ar.FIGURE_LABELS}
        refused = client.post(f"{REPORTS}2026/", data | {"t3.disclosed.research": "2"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Table 3 does not balance for 科研机构: 1 + 0 ≠ 3 + 0" in html
    assert html.index('id="error-summary"') < html.index('id="table2"')
    assert not AnnualReport.objects.exists()


def test_the_head_makes_the_report_final_on_the_page_and_downloads_it(
    db: None, body: Department, head: User, signed_in: Callable[[User], Client]
) -> None:
    with at(REPORT_DAY):
        client = signed_in(head)
        done = client.post(f"{REPORTS}2026/finalise")
        page = client.get(f"{REPORTS}2026/").content.decode()
        xlsx = client.get(f"{REPORTS}2026/report.xlsx")
        pdf = client.get(f"{REPORTS}2026/report.pdf")
        too_soon = client.post(f"{REPORTS}2027/finalise")
    assert done.status_code == 302
    assert AnnualReport.objects.get().state == ReportState.FINAL
    assert 'name="t2.licensing"' not in page
    assert (
        xlsx["Content-Disposition"] == 'attachment; filename="disclosure-annual-report-2026.xlsx"'
    )
    assert pdf.content.startswith(b"%PDF")
    assert too_soon.status_code == 400


def test_the_pages_are_for_the_disclosure_office_only(
    db: None,
    officer: User,
    dept_officer: User,
    signed_in: Callable[[User], Client],
) -> None:
    with at(REPORT_DAY):
        assert signed_in(dept_officer).get(REPORTS).status_code == 403
        assert signed_in(officer).post(f"{REPORTS}2026/finalise").status_code == 403
        assert signed_in(officer).get(f"{REPORTS}2030/").status_code == 404
        assert signed_in(officer).get(f"{REPORTS}1999/report.xlsx").status_code == 404


# --- Reminders -------------------------------------------------------------------------------


def test_the_heads_are_reminded_once_in_january_and_once_in_february_or_march(
    db: None, body: Department, officer: User, head: User
) -> None:
    officer.email = "officer@example.cn"
    officer.save(update_fields=["email"])
    assert do_remind_annual_reports(dt.date(2027, 1, 3)) == 1
    assert do_remind_annual_reports(dt.date(2027, 1, 20)) == 0  # once per stage
    assert do_remind_annual_reports(dt.date(2027, 2, 1)) == 1
    assert do_remind_annual_reports(dt.date(2027, 3, 31)) == 0
    assert do_remind_annual_reports(dt.date(2027, 4, 1)) == 0  # no stage
    mail = OutboxItem.objects.order_by("pk")
    assert [item.to_user for item in mail] == [head, head]
    assert "2026" in mail[0].subject
    assert "2027-01-31" in mail[0].subject
    assert "/staff/disclosure/reports/2026/" in mail[1].body
    assert "2027-03-31" in mail[1].body


def test_no_reminder_once_the_report_is_final(db: None, body: Department, head: User) -> None:
    with at(REPORT_DAY):
        ar.do_finalise_report(head, body, 2026)
    assert remind_annual_reports.call("2027-01-20T08:00:00+08:00") == 0
    assert do_remind_annual_reports(dt.date(2027, 3, 1)) == 0
    assert not OutboxItem.objects.exists()
