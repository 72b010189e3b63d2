#!/usr/bin/env python
"""Personal-information masker benchmark: recall per kind, false positives on look-alikes, speed.

    .venv/bin/python bench/pii.py [--items 10000] [--seed 2026] [--json PATH]

It reads the real messages in ../shared/data/ (tipdm2020: ``messages_labelled.csv`` column
``text``, ``messages_with_votes.csv`` and ``messages_with_replies.csv`` column ``留言详情``;
shangluo-mailbox ``letters.csv`` column ``query``), each text once, and generates with one
seeded ``random.Random`` --items personal-information items, the same number of each kind
(id_number, mobile, landline, email, bank_card, plate, name, address, qq, wechat), each in a
writing a citizen would type ("身份证号：…", "+86-138-1234-5678", "１３８…", "(0571)87654321",
"车牌为湘A·D12345的小车", "张先生", "幸福路18号院5号楼1202", …), and at least 2,000
look-alikes that must survive (dates, years, amounts, 文号, statute references, hotlines, 400/800
service numbers, place names above street level, order, express and case numbers, standards,
postcodes, credit codes, measures, transit lines, URLs). Each item or look-alike is one short
sentence inserted at a random sentence boundary of its own real message.

Recall of an item (its "value" is the datum itself, without the introducing words):

- name: ``find()`` returns a span of kind "name" overlapping the value (the full name, or the
  whole "张先生"; keeping the surname is the publishing format);
- every other kind: ``find()`` returns a span of the expected kind overlapping the value, AND
  its secret no longer appears verbatim in ``mask(text)`` (it occurs fewer times there than in
  the text). The secret, as written: ID numbers, the birth date (digits 7–14, or 7–12 of a
  15-digit number); mobiles, the middle four digits; landlines, the subscriber number; bank
  cards, digit 7 to the fifth-last digit; e-mail, the local part; plates, the serial after the
  issuing letter; QQ and WeChat, the whole account; addresses, everything from the first house,
  building, unit or room number on ("3栋2单元501室", "18号院5号楼1202", "3组45号").

false_positive_rate = look-alikes overlapped by any span of any kind / all look-alikes. Spans
``find()`` returns on the untouched real messages are counted and printed as information only
(real messages do hold real-shaped data), not added to the rate.

Speed: ``mask()`` (which finds) and, separately, ``find()`` over all generated texts, the whole
corpus repeated until at least 2 s are timed; MB = 1,000,000 UTF-8 bytes of input.

Missed items (up to 5 per kind, in context) and wrongly hit look-alikes (up to 10) go to stderr
with the logs. The figures and the machine go to stdout; the last stdout line is one JSON
object: recall_by_type, false_positive_rate, mb_per_second (and a few extra keys).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk import cpu_model, log, memory_gib  # noqa: E402

try:
    from yiwang.lib import pii
except ImportError as error:  # the module is written alongside this benchmark
    raise SystemExit(f"cannot import yiwang.lib.pii: {error}") from error

DATA = ROOT.parent / "shared" / "data"
SOURCES = (
    ("tipdm2020/messages_labelled.csv", "text"),
    ("tipdm2020/messages_with_votes.csv", "留言详情"),
    ("tipdm2020/messages_with_replies.csv", "留言详情"),
    ("shangluo-mailbox/letters.csv", "query"),
)
KINDS = (
    *("id_number", "mobile", "landline", "email", "bank_card"),
    *("plate", "name", "address", "qq", "wechat"),
)
TARGETS = {
    **dict.fromkeys(("id_number", "mobile", "email", "bank_card", "plate"), 0.995),
    **dict.fromkeys(("name", "address"), 0.95),
}
FP_TARGET = 0.005
SPEED_TARGET = 5.0
MIN_LOOKALIKES = 2000
MIN_SECONDS = 2.0
BOUNDARY = "。！？!?；;\n"
CLOSERS = "”’）)】」』"
SHOW_MISSED = 5
SHOW_FALSE = 10


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- Real messages ---------------------------------------------------------------------------


def read_messages() -> list[str]:
    """Every real message text once, whitespace runs with a line break kept as one break."""
    if not DATA.is_dir():
        raise SystemExit(f"the real messages are not at {DATA} (../shared/data/)")
    seen: dict[str, None] = {}
    for name, column in SOURCES:
        path = DATA / name
        if not path.exists():
            raise SystemExit(f"missing {path}")
        with path.open(encoding="utf-8-sig", newline="") as source:
            for row in csv.DictReader(source):
                text = re.sub(r"[ \t\r\u3000]*\n\s*", "\n", (row.get(column) or "").strip())
                if len(text) >= 20:
                    seen.setdefault(text)
    return list(seen)


def boundaries(text: str) -> list[int]:
    """Where a sentence may go in: the start, and after a sentence end not inside quotes."""
    found = [0]
    for i, char in enumerate(text):
        if char in BOUNDARY and (i + 1 == len(text) or text[i + 1] not in CLOSERS):
            found.append(i + 1)
    return found


# --- Generated writings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Writing:
    """One sentence to insert: ``before + value + after``; ``secret`` must not survive mask()."""

    before: str
    value: str
    after: str
    secret: str = ""


def writing(template: str, value: str, secret: str = "") -> Writing:
    before, after = template.split("{v}")
    return Writing(before, value, after, secret)


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def written_slice(value: str, first: int, last: int) -> str:
    """The written form of digits ``first``..``last - 1`` of ``value`` (separators kept)."""
    places = [i for i, c in enumerate(value) if c.isdigit()]
    return value[places[first] : places[last - 1] + 1]


REGIONS = (
    *words("110101 110105 110108 120101 130102 140105 150102 210102 220102 230103 310104"),
    *words("310115 320102 320583 330106 330203 340104 350203 360102 370202 410105 420106"),
    *words("430102 430104 430111 430121 431102 440305 440106 450103 460105 500103 510107"),
    *words("520102 530102 610113 620102 640104 650102 441900 433101 421302 362202"),
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_TEMPLATES = (
    *("身份证号：{v}。", "身份证号码是{v}，", "本人身份证号码：{v}，请核实。", "{v}。"),
    *("我的身份证{v}，", "证件号码{v}。", "身份证：{v}，", "请查询{v}的参保记录。"),
)


def id_check(body: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def id_number(rng: random.Random) -> Writing:
    """18 digits with the GB 11643 check (10 % a wrong one, x sometimes lower case), 8 % old."""
    region = rng.choice(REGIONS)
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(72 * 365))
    sequence = digits(rng, 3)
    if rng.random() < 0.08:
        value = f"{region}{born:%y%m%d}{sequence}"
        return writing(rng.choice(ID_TEMPLATES), value, value[6:12])
    body = f"{region}{born:%Y%m%d}{sequence}"
    check = id_check(body)
    if rng.random() < 0.1:
        check = rng.choice([c for c in "0123456789X" if c != check])
    if check == "X" and rng.random() < 0.3:
        check = "x"
    return writing(rng.choice(ID_TEMPLATES), body + check, body[6:14])


MOBILE_PREFIXES = (
    *words("130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156"),
    *words("157 158 159 166 170 171 173 175 176 177 178 180 181 182 183 184 185 186"),
    *words("187 188 189 191 198 199"),
)
MOBILE_STYLES = (
    ("{a}{b}{c}", 8),
    ("+86 {a}{b}{c}", 1),
    ("+86{a}{b}{c}", 1),
    ("0086{a}{b}{c}", 1),
    ("+86-{a}-{b}-{c}", 1),
    ("{a} {b} {c}", 2),
    ("{a}-{b}-{c}", 2),
    ("fullwidth", 2),
)
MOBILE_TEMPLATES = (
    *("联系电话：{v}。", "我的手机号是{v}，", "电话{v}。", "手机：{v}，", "{v}。"),
    *("有问题请打{v}联系我。", "联系方式：{v}（微信同号）。", "本人电话{v}，24小时开机。"),
    *("手机号码{v}，", "如有疑问请致电{v}！"),
)


def mobile(rng: random.Random) -> Writing:
    number = rng.choice(MOBILE_PREFIXES) + digits(rng, 8)
    a, b, c = number[:3], number[3:7], number[7:]
    styles, weights = zip(*MOBILE_STYLES, strict=True)
    style = rng.choices(styles, weights)[0]
    if style == "fullwidth":
        return writing(rng.choice(MOBILE_TEMPLATES), fullwidth(number), fullwidth(b))
    return writing(rng.choice(MOBILE_TEMPLATES), style.format(a=a, b=b, c=c), b)


AREA_CODES = (
    *words("010 020 021 022 023 024 025 027 028 029"),
    *words("0571 0574 0731 0736 0738 0746 0755 0591 0871 0851 0931 0898 0311 0371"),
)
LANDLINE_STYLES = ("{a}-{s}", "{a}-{s}", "{a}-{s}", "({a}){s}", "（{a}）{s}", "{a} {s}", "{a}{s}")
LANDLINE_TEMPLATES = (
    *("联系电话：{v}。", "座机{v}，", "家里电话是{v}，", "请拨打{v}联系本人。", "{v}。"),
    *("单位电话：{v}，", "固话{v}。"),
)


def landline(rng: random.Random) -> Writing:
    """Area code and 7–8 digits: 0571-87654321, (0571)87654321, 0731 8888 6666, …"""
    area = rng.choice(AREA_CODES)
    size = 8 if len(area) == 3 or rng.random() < 0.6 else 7
    subscriber = str(rng.randint(2, 8)) + digits(rng, size - 1)
    style = rng.choice(LANDLINE_STYLES)
    if style == "{a} {s}" and rng.random() < 0.7:
        subscriber = f"{subscriber[:-4]} {subscriber[-4:]}"
    value = style.format(a=area, s=subscriber)
    return writing(rng.choice(LANDLINE_TEMPLATES), value, subscriber)


PINYIN = (
    *words("zhang wang li liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo"),
    *words("xiaoming jianguo lihua fang min jing wei qiang lei jun yan jie tao ming chao"),
)
DOMAINS = (
    *words("qq.com 163.com 126.com sina.com gmail.com hotmail.com foxmail.com yeah.net"),
    *words("sohu.com 139.com outlook.com hnu.edu.cn csu.edu.cn aliyun.com"),
)
EMAIL_TEMPLATES = (
    *("邮箱：{v}。", "电子邮箱是{v}，", "E-mail: {v}。", "请将答复发到{v}，谢谢！"),
    *("我的邮箱{v}。", "{v}。", "联系邮箱：{v}，"),
)


def email(rng: random.Random) -> Writing:
    shape = rng.randrange(5)
    if shape == 0:
        local = str(rng.randint(10**5, 10**10))
    elif shape == 1:
        local = rng.choice(PINYIN) + rng.choice(PINYIN) + str(rng.randint(1, 2020))
    elif shape == 2:
        local = f"{rng.choice(PINYIN)}.{rng.choice(PINYIN)}"
    elif shape == 3:
        local = f"{rng.choice(PINYIN)}_{rng.choice(PINYIN)}{rng.randint(10, 99)}"
    else:
        local = "".join(rng.choice("abcdefghjklmnpqrstwxyz") for _ in range(3)) + digits(rng, 4)
    return writing(rng.choice(EMAIL_TEMPLATES), f"{local}@{rng.choice(DOMAINS)}", local)


CARD_BINS = (
    *words("622202 621700 622848 621661 622588 622262 623058 621226 622700 436742"),
    *words("625965 622908 621483 603367 622150 621799 622609 628288"),
)
CARD_TEMPLATES = (
    *("银行卡号：{v}。", "工资卡卡号{v}，", "账号：{v}，开户行：中国工商银行。"),
    *("我的银行卡{v}被冻结了。", "{v}。", "社保卡（银行账号{v}）无法使用。"),
)


def luhn_digit(body: str) -> str:
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str(-total % 10)


def bank_card(rng: random.Random) -> Writing:
    """16–19 digits with a valid Luhn check, 40 % grouped in fours."""
    length = rng.choice((16, 16, 17, 18, 19, 19, 19))
    body = rng.choice(CARD_BINS) + digits(rng, length - 7)
    number = body + luhn_digit(body)
    if rng.random() < 0.4:
        number = " ".join(number[i : i + 4] for i in range(0, length, 4))
    return writing(rng.choice(CARD_TEMPLATES), number, written_slice(number, 6, length - 4))


PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_TEMPLATES = (
    *("车牌号：{v}。", "车牌为{v}的小轿车长期占道。", "一辆{v}的白色SUV堵住了消防通道。"),
    *("我的车{v}被贴了罚单。", "{v}车主在小区乱停车。", "号牌{v}，"),
)


def plate(rng: random.Random) -> Writing:
    """浙A12345, 湘A·D12345, 京AF12345, 粤B12345D: no I or O."""
    kind = rng.randrange(4)
    if kind == 0:
        serial = digits(rng, 5)
    elif kind == 1:
        letters = rng.randint(1, 2)
        serial = "".join(rng.choice(PLATE_LETTERS) for _ in range(letters))
        serial += digits(rng, 5 - letters)
    elif kind == 2:
        serial = rng.choice("DF") + rng.choice(PLATE_LETTERS + "0123456789") + digits(rng, 4)
    else:
        serial = digits(rng, 5) + rng.choice("DF")
    joint = rng.choices(("", "·", " "), (6, 2, 1))[0]
    value = f"{rng.choice(PROVINCES)}{rng.choice(PLATE_LETTERS)}{joint}{serial}"
    return writing(rng.choice(PLATE_TEMPLATES), value, serial)


QQ_TEMPLATES = ("QQ号：{v}。", "qq {v}，", "QQ：{v}。", "我的QQ是{v}，", "加QQ{v}详聊。", "QQ{v}。")


def qq(rng: random.Random) -> Writing:
    number = str(rng.randint(1, 9)) + digits(rng, rng.choice((5, 7, 8, 8, 9, 9, 10)))
    return writing(rng.choice(QQ_TEMPLATES), number, number)


WECHAT_TEMPLATES = (
    *("微信号：{v}。", "微信：{v}，", "加我微信{v}，", "vx：{v}。", "微信号是{v}，"),
    "我的微信{v}，",
)


WXID_CHARS = "abcdefghijkmnpqrstuvwxyz0123456789"


def wechat(rng: random.Random) -> Writing:
    shape = rng.randrange(4)
    if shape == 0:
        account = "wxid_" + "".join(rng.choice(WXID_CHARS) for _ in range(12))
    elif shape == 1:
        account = f"{rng.choice(PINYIN)}_{rng.choice(PINYIN)}{rng.randint(1, 99)}"
    elif shape == 2:
        account = rng.choice(PINYIN) + rng.choice(PINYIN) + str(rng.randint(1960, 2010))
    else:
        account = f"{rng.choice(PINYIN)}-{rng.randint(100, 9999)}"
    return writing(rng.choice(WECHAT_TEMPLATES), account, account)


SURNAMES = (
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余",
    *"杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙",
    *words("欧阳 司马 诸葛 上官"),
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国红志海燕鹏辉玲宇浩凯佳欣怡子轩梓涵晨阳"
NAME_TEMPLATES = (
    *("我叫{v}，", "本人{v}，", "联系人：{v}。", "反映人：{v}，", "姓名：{v}，"),
    *("我是A3区居民{v}，", "我是退休职工{v}，", "落款：{v}。"),
)
HONORIFIC_TEMPLATES = ("联系人：{v}，", "我是{v}，", "本人{v}，", "请联系{v}。", "落款：{v}。")


def name(rng: random.Random) -> Writing:
    """A full name after an introduction, or a surname with 先生, 女士 or 同志."""
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.35:
        value = surname + rng.choice(("先生", "女士", "同志"))
        return writing(rng.choice(HONORIFIC_TEMPLATES), value)
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return writing(rng.choice(NAME_TEMPLATES), surname + given)


ABOVE_STREET = ("", "", "A市A3区", "长沙市岳麓区", "浙江省杭州市西湖区", "西地省C市", "A7县")
ESTATES = (
    *words("景蓉华苑 阳光花园 金色家园 碧桂园 万科城 幸福里 锦绣江南 翠竹苑 紫薇苑 和馨园"),
    *words("融城小区 湘江世纪城 梅溪湖壹号 丽发新城 天心家园 电力宿舍"),
)
ROADS = words("幸福 人民 解放 建设 中山 五一 芙蓉 文三 学士 劳动东 桐梓坡 金星北")
VILLAGES = words("新河 桃源 青山 石塘 白沙 柳林 枫树 黄土岭")
ADDRESS_TEMPLATES = (
    *("我家住在{v}。", "住址：{v}，", "本人住{v}，", "地址：{v}。", "我住在{v}，楼上噪音很大。"),
    "家庭住址是{v}。",
)


def sub_street(rng: random.Random) -> tuple[str, str]:
    """The named part (estate, road, village) and the numbered part, house level and below."""
    b, u, r, n = rng.randint(1, 30), rng.randint(1, 6), rng.randint(101, 2804), rng.randint(1, 399)
    shape = rng.randrange(6)
    if shape == 0:
        return rng.choice(ESTATES) + rng.choice(("", "小区")), f"{b}栋{u}单元{r}室"
    if shape == 1:
        return rng.choice(ROADS) + "路", f"{n}号院{b}号楼{r}"
    if shape == 2:
        return rng.choice(VILLAGES) + "村", f"{rng.randint(1, 15)}组{n}号"
    if shape == 3:
        return rng.choice(ROADS) + rng.choice(("路", "街")), f"{n}号"
    if shape == 4:
        return rng.choice(ESTATES), f"{b}-{u}-{r}"
    return rng.choice(ESTATES), f"{b}幢{r}室"


def address(rng: random.Random) -> Writing:
    """Sub-street part after an optional place above street level (not part of the value)."""
    place = rng.choice(ABOVE_STREET)
    named, numbered = sub_street(rng)
    template = rng.choice(ADDRESS_TEMPLATES).replace("{v}", place + "{v}")
    return writing(template, named + numbered, numbered)


GENERATORS: dict[str, Callable[[random.Random], Writing]] = {
    "id_number": id_number,
    "mobile": mobile,
    "landline": landline,
    "email": email,
    "bank_card": bank_card,
    "plate": plate,
    "name": name,
    "address": address,
    "qq": qq,
    "wechat": wechat,
}


# --- Look-alikes -----------------------------------------------------------------------------


def a_day(rng: random.Random) -> dt.date:
    return dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(9 * 365))


def date_like(rng: random.Random) -> Writing:
    d = a_day(rng)
    value = rng.choice(
        (
            *(f"{d.year}年{d.month}月{d.day}日", f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}"),
            *(f"{d:%Y.%m.%d}", f"{d:%Y%m%d}", f"{d.month}月{d.day}日", f"{d.month}月{d.day}号"),
            f"{d.year}/{d.month}/{d.day} {rng.randint(7, 22)}:{rng.randint(0, 59):02d}:12",
            f"{d.year}年{d.month}月{d.day}日{rng.randint(8, 18)}时{rng.randint(1, 59)}分",
        )
    )
    template = rng.choice(
        ("{v}，我去办理时被告知材料不全。", "从{v}开始施工至今。", "截至{v}仍未解决。")
    )
    return writing(template, value)


def time_like(rng: random.Random) -> Writing:
    start, end = rng.randint(6, 12), rng.randint(13, 23)
    value = rng.choice((f"{start}:30", f"{start}:00-{end}:30", f"{end}点{rng.randint(1, 59)}分"))
    return writing(rng.choice(("每天{v}都在施工。", "办事大厅{v}就没人了。")), value)


def year_like(rng: random.Random) -> Writing:
    y = rng.randint(1990, 2021)
    value = rng.choice((f"{y}年", f"{y}年度", f"{y}—{y + 2}年", f"{y}级", f"{y}届"))
    return writing(rng.choice(("{v}以来，问题一直存在。", "早在{v}就已反映过。")), value)


def amount_like(rng: random.Random) -> Writing:
    n = rng.choice((rng.randint(50, 9999), rng.randint(10_000, 3_000_000)))
    value = rng.choice(
        (
            *(f"{n}元", f"{n / 10000:.1f}万元", f"￥{n:,}.00", f"人民币{n}元", f"{n}元/月"),
            *(f"{n:,}元", f"每平方米{n}元", f"{rng.randint(1, 99)}.{rng.randint(10, 99)}元"),
        )
    )
    template = rng.choice(("对方要求我支付{v}。", "共计{v}，至今未退还。", "每月工资仅{v}，"))
    return writing(template, value)


DOC_ISSUERS = words("国办发 国发 湘政发 湘政办发 浙政办发 长政发 财社 人社部发 建房 教基 湘人社发")


def document_number(rng: random.Random) -> Writing:
    issuer, year, n = rng.choice(DOC_ISSUERS), rng.randint(2005, 2021), rng.randint(1, 150)
    value = rng.choice(
        (f"{issuer}〔{year}〕{n}号", f"{issuer}[{year}]{n}号", f"{issuer}（{year}）{n}号")
    )
    template = rng.choice(
        ("根据{v}文件精神，", "按照{v}的规定，", "《关于做好有关工作的通知》（{v}）明确要求，")
    )
    return writing(template, value)


CHINESE_NUMBERS = words("一 二 三 四 五 十 十二 二十 二十五 三十二 四十 五十六 八十二 一百零三")
LAWS = (
    *words("中华人民共和国个人信息保护法 中华人民共和国劳动合同法 中华人民共和国民法典"),
    *words("物业管理条例 中华人民共和国道路交通安全法 信访工作条例 社会保险法"),
)


def statute(rng: random.Random) -> Writing:
    article = rng.choice((f"第{rng.choice(CHINESE_NUMBERS)}条", f"第{rng.randint(1, 300)}条"))
    clause = rng.choice(("", "", "第一款", "第二款", f"第{rng.randint(1, 5)}项"))
    law = rng.choice(("", f"《{rng.choice(LAWS)}》"))
    template = rng.choice(("依据{v}的规定，", "违反了{v}。", "{v}明确规定，"))
    return writing(template, law + article + clause)


HOTLINES = words(
    "12345 12315 110 120 119 122 12369 12333 12319 12320 12358 12388 95598 10086 10010 12306"
)


def hotline(rng: random.Random) -> Writing:
    number = rng.choice(HOTLINES)
    value = rng.choice((number, number, f"{rng.choice(AREA_CODES)}-12345", f"{number}热线"))
    template = rng.choice(("我多次拨打{v}反映，", "打{v}也没有结果。", "已向{v}投诉，"))
    return writing(template, value)


def service_number(rng: random.Random) -> Writing:
    value = rng.choice(
        (
            f"400-{digits(rng, 3)}-{digits(rng, 4)}",
            f"400{digits(rng, 7)}",
            f"4008-{digits(rng, 3)}-{digits(rng, 3)}",
            f"800-820-{digits(rng, 4)}",
            f"95{rng.choice('5135')}{digits(rng, 2)}",
        )
    )
    template = rng.choice(("客服电话{v}一直打不通，", "拨打售后{v}，", "服务热线：{v}。"))
    return writing(template, value)


PLACES = (
    *words("浙江省杭州市西湖区 湖南省长沙市岳麓区 广东省深圳市南山区 A市A3区 西地省C市 长沙县"),
    *words("张家界市武陵源区 常德市石门县 湘潭市岳塘区 北京市朝阳区 上海市浦东新区 黄山市"),
    *words("商洛市商州区 洛南县 I5县 M8县 白云区 马鞍山市 高新区 湖北省武汉市江汉区"),
)


def place(rng: random.Random) -> Writing:
    template = rng.choice(("我是{v}居民，", "{v}的这条路坑坑洼洼。", "我在{v}工作。"))
    return writing(template, rng.choice(PLACES))


def order_number(rng: random.Random) -> Writing:
    d = a_day(rng)
    choices = (
        ("订单号：{v}，", f"{d:%Y%m%d}{digits(rng, rng.randint(6, 12))}"),
        ("快递单号{v}一直没有更新。", f"SF{digits(rng, 12)}"),
        ("中通单号{v}，", f"7{rng.randint(3, 7)}{digits(rng, 10)}"),
        ("受理编号：{v}。", f"YW{d:%Y%m%d}{digits(rng, 5)}"),
        ("工单号GD{v}至今未办结。", f"{d:%Y%m%d}{digits(rng, 4)}"),
        ("发票号码{v}，", f"0{digits(rng, 7)}"),
        ("项目编号{v}，", f"{d:%Y%m%d}{digits(rng, 3)}"),
    )
    template, value = rng.choice(choices)
    return writing(template, value)


def case_number(rng: random.Random) -> Writing:
    year, court = rng.randint(2013, 2021), rng.choice(("湘0102", "湘01", "浙0106", "陕1002"))
    value = f"（{year}）{court}{rng.choice(('民初', '民终', '执', '行初'))}{rng.randint(1, 9999)}号"
    return writing(rng.choice(("案号{v}的判决至今未执行。", "法院已立案，{v}。")), value)


def measure(rng: random.Random) -> Writing:
    value = rng.choice(
        (
            *(f"{rng.randint(1, 99)}.{rng.randint(1, 9)}%", f"{rng.randint(30, 300)}平方米"),
            *(f"{rng.randint(50, 3000)}余户", f"{rng.randint(100, 5000)}多人"),
            *(
                f"约{rng.randint(20, 900)}米",
                f"{rng.randint(2, 60)}层",
                f"{rng.randint(3, 90)}分贝",
            ),
        )
    )
    return writing(rng.choice(("涉及{v}，", "目前已达{v}。")), value)


def transit(rng: random.Random) -> Writing:
    value = rng.choice(
        (
            *(f"{rng.randint(1, 999)}路公交车", f"地铁{rng.randint(1, 8)}号线"),
            *(f"地铁{rng.randint(1, 8)}号线{rng.randint(1, 6)}号出口", "G4京港澳高速"),
            *(f"{rng.choice(('107', '319', '320'))}国道", f"G{rng.randint(1001, 6999)}次列车"),
        )
    )
    return writing(rng.choice(("乘坐{v}很不方便。", "{v}附近经常堵车。")), value)


def standard(rng: random.Random) -> Writing:
    year = rng.randint(1996, 2020)
    code = rng.choice(("GB", "GB/T", "JGJ", "CJJ"))
    value = rng.choice(
        (f"{code} {rng.randint(3000, 50999)}-{year}", f"{code}{rng.randint(10, 999)}-{year}")
    )
    return writing(rng.choice(("不符合{v}的要求。", "按{v}标准执行，")), value)


def postcode(rng: random.Random) -> Writing:
    value = f"{rng.choice(('41', '31', '72', '10', '51'))}{rng.randint(0, 9)}{rng.randint(0, 9)}00"
    return writing(rng.choice(("邮编{v}，", "邮政编码：{v}。")), value)


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(rng: random.Random) -> Writing:
    """An organisation's 统一社会信用代码: 91 or 12, region, organisation code, check."""
    head = rng.choice(("91", "92", "12", "52")) + rng.choice(REGIONS)
    organisation = rng.choice(("MA4", "MA2", "")) + digits(rng, 3)
    organisation += "".join(rng.choice(CREDIT_CHARS) for _ in range(9 - len(organisation)))
    value = head + organisation + rng.choice(CREDIT_CHARS)
    return writing(rng.choice(("该公司统一社会信用代码：{v}，", "信用代码{v}。")), value)


def web_like(rng: random.Random) -> Writing:
    value = rng.choice(
        (
            *("www.hunan.gov.cn", "http://www.changsha.gov.cn/xxgk/", "www.12345.gov.cn"),
            *("@长沙发布", "@人民网", "https://www.gov.cn/zhengce/content/2019-03/15.htm"),
        )
    )
    return writing(rng.choice(("我在{v}上看到通知，", "已在{v}留言，")), value)


LOOKALIKES: dict[str, Callable[[random.Random], Writing]] = {
    "date": date_like,
    "time": time_like,
    "year": year_like,
    "amount": amount_like,
    "document_number": document_number,
    "statute": statute,
    "hotline": hotline,
    "service_number": service_number,
    "place": place,
    "order_number": order_number,
    "case_number": case_number,
    "measure": measure,
    "transit": transit,
    "standard": standard,
    "postcode": postcode,
    "credit_code": credit_code,
    "web": web_like,
}


# --- Planting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    """A real message with one inserted writing; ``start``/``end`` is the value in ``text``."""

    kind: str  # a personal-information kind, or a look-alike variety
    lookalike: bool
    text: str
    start: int
    end: int
    secret: str


def plant(rng: random.Random, host: str, kind: str, lookalike: bool, w: Writing) -> Planted:
    at = rng.choice(boundaries(host))
    text = host[:at] + w.before + w.value + w.after + host[at:]
    start = at + len(w.before)
    return Planted(kind, lookalike, text, start, start + len(w.value), w.secret)


def schedule(items: int) -> list[tuple[str, bool]]:
    """Kinds in equal shares (the remainder to the first), then look-alike varieties in turn."""
    todo = [(KINDS[i % len(KINDS)], False) for i in range(items)]
    varieties = list(LOOKALIKES)
    count = max(MIN_LOOKALIKES, items * 3 // 10)
    todo += [(varieties[i % len(varieties)], True) for i in range(count)]
    return todo


def generate(rng: random.Random, hosts: Sequence[str], items: int) -> list[Planted]:
    todo = schedule(items)
    rng.shuffle(todo)
    order = list(hosts)
    rng.shuffle(order)
    planted = []
    for n, (kind, lookalike) in enumerate(todo):
        make = LOOKALIKES[kind] if lookalike else GENERATORS[kind]
        planted.append(plant(rng, order[n % len(order)], kind, lookalike, make(rng)))
    return planted


# --- Scoring ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What find() and mask() did with one planted text."""

    planted: Planted
    spans: list[pii.Span]
    masked: str

    def overlapping(self) -> list[pii.Span]:
        p = self.planted
        return [s for s in self.spans if s.start < p.end and s.end > p.start]

    def secret_left(self) -> bool:
        p = self.planted
        return bool(p.secret) and self.masked.count(p.secret) >= p.text.count(p.secret)

    def miss(self) -> str:
        """Why the item counts as missed, or "" when it was found."""
        kinds = [s.kind for s in self.overlapping()]
        if self.planted.kind not in kinds:
            return f"kind {', '.join(kinds)} instead" if kinds else "no span"
        if self.planted.kind != "name" and self.secret_left():
            return f"{self.planted.secret!r} left after mask()"
        return ""


def run(planted: Sequence[Planted]) -> list[Outcome]:
    outcomes = []
    for n, p in enumerate(planted, 1):
        outcomes.append(Outcome(p, list(pii.find(p.text)), pii.mask(p.text)))
        if n % 5000 == 0:
            log(f"  {n:,} of {len(planted):,} texts scored")
    return outcomes


def recall_by_kind(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    counts = {kind: [0, 0] for kind in KINDS}
    for o in outcomes:
        if not o.planted.lookalike:
            counts[o.planted.kind][1] += 1
            counts[o.planted.kind][0] += not o.miss()
    return {kind: (found, total) for kind, (found, total) in counts.items()}


def false_positives(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    counts = {variety: [0, 0] for variety in LOOKALIKES}
    for o in outcomes:
        if o.planted.lookalike:
            counts[o.planted.kind][1] += 1
            counts[o.planted.kind][0] += bool(o.overlapping())
    return {variety: (hit, total) for variety, (hit, total) in counts.items()}


def context(text: str, start: int, end: int, around: int = 24) -> str:
    left, right = text[max(0, start - around) : start], text[end : end + around]
    return f"…{left}【{text[start:end]}】{right}…".replace("\n", "⏎")


def masked_context(o: Outcome) -> str:
    """Where the secret survives in the masked text: the occurrence nearest the item."""
    spots = [m.start() for m in re.finditer(re.escape(o.planted.secret), o.masked)]
    if not spots:
        return ""
    at = min(spots, key=lambda s: abs(s - o.planted.start))
    return " masked: " + context(o.masked, at, at + len(o.planted.secret), 16)


def show_misses(outcomes: Sequence[Outcome]) -> None:
    shown: Counter[str] = Counter()
    for o in outcomes:
        p = o.planted
        reason = "" if p.lookalike else o.miss()
        if not reason or shown[p.kind] >= SHOW_MISSED:
            continue
        shown[p.kind] += 1
        near = [(s.kind, p.text[s.start : s.end]) for s in o.spans if abs(s.start - p.start) < 40]
        extra = masked_context(o) if reason.endswith("mask()") else f" spans near: {near}"
        log(f"MISSED {p.kind}: {reason}: {context(p.text, p.start, p.end)}{extra}")


def show_false_positives(outcomes: Sequence[Outcome]) -> None:
    shown = 0
    for o in outcomes:
        hits = o.overlapping() if o.planted.lookalike else []
        if hits and shown < SHOW_FALSE:
            shown += 1
            p = o.planted
            found = [(s.kind, p.text[s.start : s.end]) for s in hits]
            log(f"FALSE POSITIVE {p.kind}: {context(p.text, p.start, p.end)} spans: {found}")


# --- Information on the untouched messages, speed ------------------------------------------


def original_spans(hosts: Sequence[str]) -> tuple[int, Counter[str], list[str]]:
    """Texts with spans, spans per kind and a few examples on the untouched real messages."""
    with_spans, kinds = 0, Counter[str]()
    examples: list[str] = []
    for text in hosts:
        spans = pii.find(text)
        with_spans += bool(spans)
        kinds.update(s.kind for s in spans)
        if spans and len(examples) < 10:
            first = spans[0]
            examples.append(f"{first.kind}: {context(text, first.start, first.end, 12)}")
    return with_spans, kinds, examples


def throughput(function: Callable[[str], object], texts: Sequence[str]) -> tuple[float, float]:
    """MB per second over the whole corpus, repeated until MIN_SECONDS are timed; and the MB."""
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    seconds, done = 0.0, 0.0
    while seconds < MIN_SECONDS:
        started = time.perf_counter()
        for text in texts:
            function(text)
        seconds += time.perf_counter() - started
        done += size
    return done / seconds, done


# --- Report ----------------------------------------------------------------------------------


def machine() -> str:
    """desk.machine() asks Django for the database version; this benchmark has no database."""
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {memory_gib()} GiB RAM, {platform.machine()}, "
        f"Python {platform.python_version()}, one thread"
    )


def verdict(ok: bool) -> str:
    return "ok" if ok else "BELOW TARGET"


def print_recall(recall: dict[str, tuple[int, int]]) -> None:
    print(f"{'kind':<10} {'items':>6} {'found':>6} {'recall':>8}  target")
    for kind, (found, total) in recall.items():
        share = found / total if total else 0.0
        target = TARGETS.get(kind)
        aim = f"≥ {target:.1%} {verdict(share >= target)}" if target else "(none)"
        print(f"{kind:<10} {total:>6,} {found:>6,} {share:>8.2%}  {aim}")


def print_false_positives(fp: dict[str, tuple[int, int]]) -> float:
    hit, total = sum(h for h, _t in fp.values()), sum(t for _h, t in fp.values())
    rate = hit / total if total else 0.0
    print(f"false positives: {hit:,} of {total:,} look-alikes = {rate:.2%} ", end="")
    print(f"(target ≤ {FP_TARGET:.1%}) {verdict(rate <= FP_TARGET)}")
    print("  by variety: " + ", ".join(f"{v} {h}/{t}" for v, (h, t) in fp.items()))
    return rate


def print_originals(hosts: Sequence[str]) -> dict[str, Any]:
    with_spans, kinds, examples = original_spans(hosts)
    print(f"untouched real messages (information only): {with_spans:,} of {len(hosts):,} have")
    print(f"  spans; spans per kind: {dict(kinds.most_common())}")
    for example in examples:
        log(f"ORIGINAL {example}")
    return {"texts": len(hosts), "texts_with_spans": with_spans, "spans": dict(kinds)}


def write(result: dict[str, Any], json_path: Path | None) -> None:
    line = json.dumps(result, ensure_ascii=False)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(line + "\n", encoding="utf-8")
    print(line)


# --- Main ------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="personal-information items")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    if args.items < len(KINDS):
        parser.error(f"--items must be at least {len(KINDS)}")
    return args


def measure_speed(texts: Sequence[str]) -> dict[str, float]:
    log("timing mask() and find()")
    mask_speed, mask_mb = throughput(pii.mask, texts)
    find_speed, _ = throughput(pii.find, texts)
    print(f"speed: mask {mask_speed:.2f} MB/s ({mask_mb:.1f} MB timed), ", end="")
    print(f"find {find_speed:.2f} MB/s (target ≥ {SPEED_TARGET} MB/s for mask) ", end="")
    print(verdict(mask_speed >= SPEED_TARGET))
    return {"mb_per_second": round(mask_speed, 2), "find_mb_per_second": round(find_speed, 2)}


def score(planted: Sequence[Planted], items: int) -> dict[str, Any]:
    """Recall and false positives printed; their JSON keys."""
    outcomes = run(planted)
    show_misses(outcomes)
    show_false_positives(outcomes)
    recall = recall_by_kind(outcomes)
    corpus_mb = sum(len(p.text.encode("utf-8")) for p in planted) / 1e6
    print(f"pii benchmark: {items:,} items and {len(planted) - items:,} look-alikes ", end="")
    print(f"in real messages ({corpus_mb:.1f} MB)")
    print_recall(recall)
    rate = print_false_positives(false_positives(outcomes))
    return {
        "recall_by_type": {k: round(f / t, 4) if t else 0.0 for k, (f, t) in recall.items()},
        "false_positive_rate": round(rate, 5),
        "items": items,
        "lookalikes": len(planted) - items,
        "corpus_mb": round(corpus_mb, 2),
    }


def main() -> None:
    args = arguments()
    hosts = read_messages()
    planted = generate(random.Random(args.seed), hosts, args.items)
    log(f"{len(hosts):,} real messages; {len(planted):,} texts planted, seed {args.seed}")
    result = score(planted, args.items)
    originals = print_originals(hosts)
    speed = measure_speed([p.text for p in planted])
    print(f"machine: {machine()}")
    result = {**result, **speed, "seed": args.seed, "originals": originals, "machine": machine()}
    write(result, args.json)


if __name__ == "__main__":
    main()
