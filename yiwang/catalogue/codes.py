"""The enumerations and codes of GB/T 39046-2020 (政务服务平台基础数据规范), appendix A.

Pure enumerations and checks, shared by the models, the import and the generator.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError


class ItemType(models.TextChoices):
    """A.1 事项类型, with the two letters that start a basic code of that type."""

    LICENSING = "01", _("Administrative licensing")  # 行政许可
    PENALTY = "02", _("Administrative penalty")  # 行政处罚
    ENFORCEMENT = "03", _("Administrative enforcement")  # 行政强制
    LEVY = "04", _("Administrative levy")  # 行政征收
    BENEFIT = "05", _("Administrative benefit")  # 行政给付
    INSPECTION = "06", _("Administrative inspection")  # 行政检查
    CONFIRMATION = "07", _("Administrative confirmation")  # 行政确认
    REWARD = "08", _("Administrative reward")  # 行政奖励
    ADJUDICATION = "09", _("Administrative adjudication")  # 行政裁决
    OTHER = "10", _("Other administrative power")  # 其他行政权力
    PUBLIC_SERVICE = "20", _("Public service")  # 公共服务


# The letters of each type in the basic code (基本编码: 2 letters, 5-digit main item, 3-digit sub).
TYPE_LETTERS = {
    ItemType.LICENSING: "XK",
    ItemType.PENALTY: "CF",
    ItemType.ENFORCEMENT: "QZ",
    ItemType.LEVY: "ZS",
    ItemType.BENEFIT: "JF",
    ItemType.INSPECTION: "JC",
    ItemType.CONFIRMATION: "QR",
    ItemType.REWARD: "JL",
    ItemType.ADJUDICATION: "CJ",
    ItemType.OTHER: "QT",
    ItemType.PUBLIC_SERVICE: "GG",
}
BASIC_CODE = re.compile(r"(?P<letters>[A-Z]{2})(?P<main>[0-9]{5})(?P<sub>[0-9]{3})")
IMPLEMENTATION_CODE = re.compile(r"[0-9A-Z]{10,24}")


class Level(models.TextChoices):
    """A.2 行使层级."""

    NATIONAL = "1", _("National")
    PROVINCIAL = "2", _("Provincial")
    CITY = "3", _("Municipal")
    COUNTY = "4", _("County")
    TOWNSHIP = "5", _("Township or street")
    VILLAGE = "6", _("Village or community")
    GRADED = "7", _("Managed at several levels")


class BodyNature(models.TextChoices):
    """A.3 实施主体性质."""

    STATUTORY = "1", _("Statutory authority")
    AUTHORISED = "2", _("Authorised organisation")
    ENTRUSTED = "3", _("Entrusted organisation")
    OTHER = "9", _("Other")


class Audience(models.IntegerChoices):
    """A.4 服务对象, stored as bits of one integer (an item serves several)."""

    PERSON = 1, _("Natural persons")
    ENTERPRISE = 2, _("Enterprises")
    INSTITUTION = 4, _("Public institutions")
    SOCIAL_ORGANISATION = 8, _("Social organisations")
    GOVERNMENT = 16, _("Administrative bodies")
    OTHER = 32, _("Other organisations")


AUDIENCE_CODES = {"1": 1, "2": 2, "3": 4, "4": 8, "5": 16, "6": 32}  # A.4 code → bit


class HandlingForm(models.IntegerChoices):
    """A.5 办理形式, stored as bits."""

    COUNTER = 1, _("At the counter")
    ONLINE = 2, _("Online on a computer")
    MOBILE = 4, _("On a phone")
    POST = 8, _("By post")
    OTHER = 16, _("Other")


FORM_CODES = {"1": 1, "2": 2, "3": 4, "4": 8, "9": 16}  # A.5 code → bit


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    MONTHS = "months", _("months")
    IMMEDIATE = "immediate", _("immediately")


class Node(models.TextChoices):
    """The hierarchy 主项 → 子项 → 业务办理项."""

    MAIN = "main", _("Main item")
    SUB = "sub", _("Sub-item")
    BUSINESS = "business", _("Business item")


class BusinessKind(models.TextChoices):
    NEW = "new", _("New")
    CHANGE = "change", _("Change")
    RENEWAL = "renewal", _("Renewal")
    CANCELLATION = "cancellation", _("Cancellation")
    OTHER = "other", _("Other")


class Scope(models.TextChoices):
    """通办范围: where the item can be handled besides its own region."""

    LOCAL = "local", _("In its own region")
    COUNTY = "county", _("Anywhere in the city")  # 跨县
    CITY = "city", _("Anywhere in the province")  # 跨市
    PROVINCE = "province", _("In other provinces")  # 跨省
    NATIONAL = "national", _("Nationwide")  # 全国


def basic_code_problem(code: str, item_type: str) -> str | None:
    """Why a basic code is wrong for an item of this type, or None."""
    match = BASIC_CODE.fullmatch(code)
    if match is None:
        return str(_("A basic code is 2 capital letters and 8 digits, e.g. XK00001000."))
    letters = TYPE_LETTERS.get(ItemType(item_type)) if item_type in ItemType.values else None
    if letters is not None and match.group("letters") != letters:
        return str(_("A basic code of this type starts with %(letters)s.") % {"letters": letters})
    return None


def credit_code_problem(code: str) -> str | None:
    """Why a unified social credit code (统一社会信用代码, GB 32100) is wrong, or None."""
    try:
        uscc.validate(code)
    except ValidationError:
        return str(_("This is not a valid unified social credit code (18 characters, GB 32100)."))
    return None
