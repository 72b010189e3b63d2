"""Shared fixtures: a small province, a taxonomy, themes and the named personas.

Personas: ``citizen`` (no account), ``clerk`` (desk clerk), ``dept_officer`` (housing bureau
of the city), ``other_dept_officer`` (transport bureau), ``supervisor`` (desk supervisor).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from yiwang.accounts.actions import do_create_staff, do_sync_roles
from yiwang.accounts.apikeys import do_issue_api_client
from yiwang.accounts.models import ApiClient, User
from yiwang.casework.actions import do_accept, do_approve_reply, do_forward, do_reply
from yiwang.catalogue.codes import AUDIENCE_CODES, FORM_CODES, Node, TimeUnit
from yiwang.catalogue.models import Implementation, Material, Question, ServiceItem
from yiwang.classifier.suggest import active_models
from yiwang.intake.actions import SubmissionContext, SubmissionResult, do_submit_message
from yiwang.intake.models import Channel, Message
from yiwang.intake.validation import SubmissionInput, validate_submission
from yiwang.lib.codes import new_submission_token
from yiwang.orgs import lookups
from yiwang.orgs.models import Department, Region, ServiceHall
from yiwang.taxonomy.models import Category, TaxonomyVersion, Theme

from .open311client import Open311Client

PASSWORD = "a-long-test-password-2026"
ANSWER = "已安排维修，本周内完成。"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and per-process look-ups start empty in every test."""
    cache.clear()
    lookups.clear()
    active_models.forget()
    yield
    cache.clear()
    lookups.clear()
    active_models.forget()


@pytest.fixture
def regions(db: None) -> dict[str, Region]:
    province = Region.objects.create(code="330000", name_zh="浙江省", level="province")
    city = Region.objects.create(code="330100", name_zh="杭州市", level="city", parent=province)
    west = Region.objects.create(code="330106", name_zh="西湖区", level="county", parent=city)
    bin_ = Region.objects.create(code="330108", name_zh="滨江区", level="county", parent=city)
    return {"province": province, "city": city, "xihu": west, "binjiang": bin_}


@pytest.fixture
def departments(regions: dict[str, Region]) -> dict[str, Department]:
    office = Department.objects.create(
        short_code="浙政办",
        name_zh="浙江省人民政府办公厅",
        kind="general_office",
        region=regions["province"],
    )

    def dept(code: str, name: str, kind: str, region: str) -> Department:
        return Department.objects.create(
            short_code=code, name_zh=name, kind=kind, region=regions[region], parent=office
        )

    return {
        "office": office,
        "province_transport": dept("浙交", "浙江省交通运输厅", "transport", "province"),
        "housing": dept("杭建", "杭州市住房保障和房产管理局", "housing", "city"),
        "transport": dept("杭交", "杭州市交通运输局", "transport", "city"),
        "xihu_housing": dept("西湖建", "西湖区住房和城乡建设局", "housing", "xihu"),
    }


@pytest.fixture
def taxonomy(db: None) -> dict[str, Category]:
    version = TaxonomyVersion.objects.create(name="test", is_active=True)

    def cat(code: str, name: str, kind: str = "", parent: Category | None = None) -> Category:
        return Category.objects.create(
            version=version,
            code=code,
            name_zh=name,
            dept_kind=kind,
            parent=parent,
            depth=2 if parent else 1,
            is_leaf=parent is not None,
        )

    housing = cat("01", "住房", "housing")
    transport = cat("04", "交通", "transport")
    return {
        "housing": housing,
        "transport": transport,
        "repairs": cat("01.01", "房屋维修", "", housing),
        "buses": cat("04.01", "公交", "", transport),
        "taxis": cat("04.02", "出租车", "", transport),
    }


@pytest.fixture
def theme(db: None) -> Theme:
    return Theme.objects.create(code="t01", name_zh="办事少跑腿", name_en="Fewer trips")


def _staff(username: str, roles: list[str], department: Department | None) -> User:
    do_sync_roles()
    return do_create_staff(
        username, PASSWORD, roles=roles, department_id=department.pk if department else None
    )


@pytest.fixture
def clerk(departments: dict[str, Department]) -> User:
    return _staff("clerk", ["desk_clerk"], departments["office"])


@pytest.fixture
def supervisor(departments: dict[str, Department]) -> User:
    return _staff("supervisor", ["desk_supervisor"], departments["office"])


@pytest.fixture
def dept_officer(departments: dict[str, Department]) -> User:
    return _staff("dept_officer", ["dept_officer"], departments["housing"])


@pytest.fixture
def dept_head(departments: dict[str, Department]) -> User:
    return _staff("dept_head", ["dept_head"], departments["housing"])


@pytest.fixture
def editor(departments: dict[str, Department]) -> User:
    return _staff("editor", ["editor"], departments["office"])


@pytest.fixture
def second_editor(departments: dict[str, Department]) -> User:
    return _staff("second_editor", ["editor"], departments["office"])


@pytest.fixture
def other_dept_officer(departments: dict[str, Department]) -> User:
    return _staff("other_dept_officer", ["dept_officer"], departments["transport"])


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    def sign_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


def message_input(**overrides: Any) -> SubmissionInput:
    values: dict[str, Any] = {
        "title": "小区电梯长期故障",
        "content": "我们小区3幢的电梯已经坏了两个月，物业一直不修，老人上下楼非常困难。",
        "nature": "complaint",
        "region": "330106",
        "mobile": "13800138000",
    }
    values.update(overrides)
    return SubmissionInput(**values)


@pytest.fixture
def submit(regions: dict[str, Region]) -> Callable[..., SubmissionResult]:
    """Submit a message through the real action, as the web form would."""

    def _submit(
        channel: Channel = Channel.WEB, token: str | None = None, **overrides: Any
    ) -> SubmissionResult:
        clean = validate_submission(message_input(**overrides))
        context = SubmissionContext(
            channel=channel, submission_token=token or new_submission_token(), client_ip="10.0.0.1"
        )
        return do_submit_message(clean, context)

    return _submit


@pytest.fixture
def message_for(
    submit: Callable[..., SubmissionResult], departments: dict[str, Department]
) -> Callable[[str], Message]:
    """A message whose lead department is the named one (as triage will set it)."""

    def _message(department: str, **overrides: Any) -> Message:
        message = submit(**overrides).message
        message.lead_department = departments[department]
        message.save(update_fields=["lead_department"])
        return message

    return _message


@pytest.fixture
def answered(
    clerk: User,
    dept_officer: User,
    supervisor: User,
    submit: Callable[..., SubmissionResult],
    departments: dict[str, Department],
) -> Callable[..., SubmissionResult]:
    """A message forwarded to housing, replied to and approved: its answer is public."""

    def _answered(**overrides: Any) -> SubmissionResult:
        sent = submit(**overrides)
        message = sent.message
        Message.objects.filter(pk=message.pk).update(state="triaged")
        do_forward(clerk, message.pk, departments["housing"].pk)
        do_accept(dept_officer, message.pk)
        do_reply(dept_officer, message.pk, ANSWER)
        do_approve_reply(supervisor, message.pk)
        return sent

    return _answered


@pytest.fixture
def fixmystreet(db: None) -> tuple[ApiClient, str]:
    """A civic app holding an API key with the open311 scope (Open311 GeoReport v2)."""
    return do_issue_api_client("fixmystreet", ["open311"])


@pytest.fixture
def open311(client: Client, fixmystreet: tuple[ApiClient, str]) -> Open311Client:
    return Open311Client(client, api_key=fixmystreet[1])


@pytest.fixture
def public(client: Client) -> Open311Client:
    """Anyone, without a key: discovery and the service list are public."""
    return Open311Client(client)


@pytest.fixture
def halls(regions: dict[str, Region]) -> dict[str, ServiceHall]:
    """Two service halls of the city's West Lake district and one of Binjiang."""

    def hall(code: str, name: str, region: str) -> ServiceHall:
        return ServiceHall.objects.create(
            code=code, name_zh=name, region=regions[region], address_zh=f"{name}一楼"
        )

    return {
        "xihu": hall("XH01", "西湖区政务服务中心", "xihu"),
        "xihu_town": hall("XH02", "西湖区转塘街道便民服务中心", "xihu"),
        "binjiang": hall("BJ01", "滨江区政务服务中心", "binjiang"),
    }


@pytest.fixture
def administrator(departments: dict[str, Department]) -> User:
    return _staff("administrator", ["administrator"], departments["office"])


@pytest.fixture
def leader(departments: dict[str, Department]) -> User:
    return _staff("leader", ["leader"], departments["office"])


@pytest.fixture
def make_implementation(
    regions: dict[str, Region], departments: dict[str, Department]
) -> Callable[..., Implementation]:
    """An online implementation of 社会保障卡申领 by the city housing bureau in 西湖区, with
    ``materials`` required materials and one question."""

    def _make(materials: int = 2, **overrides: Any) -> Implementation:
        item = ServiceItem.objects.create(
            basic_code="GG00001000",
            name_zh="社会保障卡申领",
            name_en=overrides.pop("name_en", ""),
            item_type="20",
            node=Node.MAIN,
        )
        fields: dict[str, Any] = {
            "item": item,
            "code": "330106GG0000100001",
            "body": departments["housing"],
            "body_credit_code": "113300000024821570",
            "region": regions["xihu"],
            "level": "4",
            "statutory_limit": 20,
            "statutory_unit": TimeUnit.WORKING_DAYS,
            "promised_limit": 5,
            "promised_unit": TimeUnit.WORKING_DAYS,
            "audiences": AUDIENCE_CODES["1"],
            "handling_forms": FORM_CODES["1"] | FORM_CODES["2"],
            "conditions": "本市参保人员。",
            "procedure": "申请、受理、制卡、领卡。",
            "online": True,
            "online_url": "https://example.gov.cn/apply",
            "place": "西湖区政务服务中心一楼",
            "phone": "0571-12345678",
            **overrides,
        }
        implementation = Implementation.objects.create(**fields)
        for n in range(materials):
            Material.objects.create(
                implementation=implementation, position=n, name_zh=f"材料{n}", originals=1
            )
        Question.objects.create(
            implementation=implementation,
            position=0,
            question="多久能拿到卡？",
            answer="五个工作日。",
        )
        return implementation

    return _make
