"""Find and mask personal information in citizen messages. Pure Python, no Django.

    find(text) -> list[Span]    # typed spans with offsets into ``text``
    mask(text) -> str           # the text as a publishing body shows it

See ``pii.md`` next to this file for what is found, how it is masked, and what is left alone
on purpose (dates, amounts, document numbers, statute references, hotlines, place names down
to the street).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

import rjieba
from stdnum import luhn

from yiwang.lib.contact import id_number_check_char

KINDS: Final = (
    "id_number",
    "bank_card",
    "mobile",
    "landline",
    "email",
    "qq",
    "wechat",
    "plate",
    "address",
    "name",
)
_PRIORITY: Final = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True, order=True)
class Span:
    """``text[start:end]`` is personal information of this ``kind``."""

    start: int
    end: int
    kind: str


# --- Text as the patterns see it ----------------------------------------------------------------
# Full-width ASCII (１３８, ＡＢＣ, ＠, －) and the ideographic space map to their ASCII forms one
# character for one, so offsets found in the mapped text are offsets in the original.
_HALFWIDTH: Final = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH.update({0x3000: ord(" "), 0x2014: ord("-"), 0x2013: ord("-"), 0x2212: ord("-")})

_NUMERAL: Final = "0-9一二三四五六七八九十百零〇两"
_SURNAMES: Final = frozenset(
    "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曹曾田于萧潘袁董叶杜丁蒋程余吕"
    "魏蔡苏任卢沈姜姚钟崔陆谭汪石付傅贾范金方韦夏廖侯白孟邹秦尹江熊薛邱阎闫段雷季史陶毛贺龙万"
    "顾关郝孔向龚邵钱武严黎汤戴常牛莫洪米康温代赖施覃安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀"
    "郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺盘满闻厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴"
    "丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿"
    "鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富"
    "尧闭由肖"
)
_COMPOUND_SURNAMES: Final = frozenset(
    re.findall(
        "..",
        "欧阳司马诸葛上官东方皇甫尉迟公孙慕容长孙宇文司徒夏侯轩辕令狐端木独孤"
        "南宫西门澹台百里呼延万俟申屠太史闻人东郭钟离宗政濮阳拓跋",
    )
)
# Characters that end a name rather than continue it (and surnames that are more often a word).
_NOT_IN_GIVEN_NAME: Final = frozenset(
    "是在的于了和与及今现年家住因为向从对被把将就也都已又还请说称告诉反映某先女同老师等们人你我他"
    "她它这那个无不没要会以去到给让叫姓名号码电话身份证联系时分区市县省镇乡村路街道巷校院局厅委"
    "公司部队楼栋单元室组户里父母亲哥姐弟妹爷奶丈夫妻啊吗呢吧呀哦嗯并而且但或再很太最更非常"
)
_WORDLIKE_SURNAMES: Final = frozenset("和向于将从对给把被让叫是在由与及同跟为经帮替问找请称有谢位")
# ... which are surnames after these (我是于同志, 本人谢先生, 联系于女士), not in 关于, 由于.
_BEFORE_WORDLIKE_SURNAME: Final = frozenset("是叫找请系给向被让和与及的位名人，。：: ")


_NEEDS_HALFWIDTH: Final = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff20\uff0b\uff0d]")


def _halfwidth(text: str) -> str:
    """The text with full-width digits, letters, ＠, ＋ and － as ASCII (one for one)."""
    return text.translate(_HALFWIDTH) if _NEEDS_HALFWIDTH.search(text) else text


def _windows(text: str, hint: re.Pattern[str], before: int, after: int) -> list[tuple[int, int]]:
    """The stretches of ``text`` around each match of a cheap ``hint`` pattern, merged: the
    exact patterns run only there (a pattern starting with a look-behind or an optional group
    is tried at every character; a plain character class is found by a fast scan)."""
    return _around(len(text), [match.span() for match in hint.finditer(text)], before, after)


def _around(
    length: int, stretches: list[tuple[int, int]], before: int, after: int
) -> list[tuple[int, int]]:
    """Each (start, end), in order, widened by ``before`` and ``after`` within a text of
    ``length`` characters, overlapping ones merged."""
    windows: list[tuple[int, int]] = []
    for start, end in stretches:
        start, end = max(0, start - before), min(length, end + after)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


# --- Numbers: ID numbers, phones, bank cards ----------------------------------------------------
_ID_18: Final = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{9}(?:[0-9](?![0-9])|[Xx])")
_ID_15: Final = re.compile(r"(?<![0-9])[1-8][0-9]{14}(?![0-9])")
_PROVINCES: Final = frozenset(
    re.findall("..", "111213141521222331323334353637414243444546505152535461626364657181828391")
)
# Separators citizens put inside numbers: spaces (also the ideographic one) and dashes of any
# width ("0734—7237198"); brackets around area and country codes, ASCII or full-width.
_SEP: Final = "[ \u3000\\-—–－]"
_OPEN, _CLOSE = "[(（]", "[)）]"
_AREA: Final = "(?:010|02[0-9]|0[3-9][0-9]{2})"
_MOBILE: Final = re.compile(
    rf"(?<![0-9])(?:(?:\+|00)?86{_SEP}?|{_OPEN}\+?86{_CLOSE} ?)?1[3-9][0-9]"
    rf"(?:[0-9]{{8}}|{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}|[0-9]{{4}}{_SEP}[0-9]{{4}}|{_SEP}[0-9]{{8}})"
    r"(?![0-9])"
)
_LANDLINE: Final = re.compile(
    rf"(?<![0-9])(?:{_OPEN}{_AREA}{_CLOSE} ?|{_AREA}{_SEP}?)"
    rf"[2-8][0-9]{{2,3}}{_SEP}?[0-9]{{4}}(?:(?:-|转|分机)[0-9]{{1,5}})?(?![0-9])"
)
_INTRODUCED_LANDLINE: Final = re.compile(
    r"(?:电话|座机|固话|宅电|联系方式|tel|Tel|TEL)(?:号码|号)?(?:是|为)?[:： ]{0,2}"
    r"(?P<value>[2-8][0-9]{2,3}-?[0-9]{4})(?![0-9])"
)
_CARD: Final = re.compile(
    rf"(?<![0-9])(?:[0-9]{{16,19}}|[0-9]{{4}}(?:{_SEP}[0-9]{{4}}){{3}}(?:{_SEP}[0-9]{{1,3}})?)"
    r"(?![0-9])"
)
_INTRODUCED_ACCOUNT: Final = re.compile(
    r"(?:卡号|银行卡|账号|帐号|储蓄卡|信用卡|借记卡|银行账户|收款账户)(?:号码|号)?(?:是|为)?"
    r"[:： ]{0,2}"
    r"(?P<value>[0-9][0-9 -]{10,24}[0-9])(?![0-9])"
)
# Where a number of five digits or more is (with the separators above): the number patterns
# run only around these, from 16 characters before (+86, 身份证号：, 卡号：) to just after.
_NUMBER_HINT: Final = re.compile("[0-9](?:[ \u3000\\-—–－()（）+]?[0-9Xx]){4,}")
_LONG_DIGITS: Final = re.compile(r"(?<![0-9])[0-9]{12,}[Xx]?")
_MOBILE_DIGITS: Final = re.compile(r"1[3-9][0-9]{9}")


def _id_date_ok(digits: str, century: str | None = None) -> bool:
    year = int(century + digits[6:8]) if century else int(digits[6:10])
    if not 1800 <= year <= _THIS_YEAR:
        return False
    rest = digits[8:12] if century else digits[10:14]
    try:
        dt.date(year, int(rest[:2]), int(rest[2:]))
    except ValueError:
        return False
    return True


def id_check_ok(number: str) -> bool:
    """The GB 11643 check character of an 18-character ID number is right."""
    return id_number_check_char(number[:17]) == number[17].upper()


def _numbers(text: str) -> Iterator[Span]:
    """ID numbers, bank cards, phones, and IDs or mobiles written against other digits."""
    for start, end in _windows(text, _NUMBER_HINT, 16, 2):
        for finder in (_id_numbers, _bank_cards, _phones, _numbers_in_longer_runs, _qq):
            yield from finder(text, start, end)


_THIS_YEAR: Final = dt.date.today().year  # nobody is born in the future (622262206412021013)
_CARD_CONTEXT: Final = re.compile("卡|账号|帐号|账户|帐户")
_CODE_CONTEXT: Final = re.compile(
    r"(?:编号|单号|订单|流水|受理号|工单|运单|快递|条码|代码|税号|发票|合同号|案号|批号|序列号|"
    r"No\.?|NO\.?)[:：# ]*$"
)


def _id_numbers(text: str, start: int, end: int) -> Iterator[Span]:
    """Valid 18-character IDs (real date, right check character; the region is not checked),
    ID-shaped ones with a wrong check character (a typo is still someone's number) unless a
    card or an account introduces them, and old 15-digit IDs (date in 19YY)."""
    for match in _ID_18.finditer(text, start, end):
        number = match.group()
        if not _id_date_ok(number):
            continue
        if id_check_ok(number) or (
            number[:2] in _PROVINCES
            and not _CARD_CONTEXT.search(text, max(0, match.start() - 12), match.start())
        ):
            yield Span(match.start(), match.end(), "id_number")
    for match in _ID_15.finditer(text, start, end):
        if match.group()[:2] in _PROVINCES and _id_date_ok(match.group(), century="19"):
            yield Span(match.start(), match.end(), "id_number")


# Letters glued before a 0-led number make a courier or case code (SF096741346562), not a
# landline — unless they say telephone (Tel0571…).
_TRACKING_CODE: Final = re.compile(r"(?<![Tt][Ee])(?<![Tt])[A-Za-z]$")


def _phones(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _MOBILE.finditer(text, start, end):
        yield Span(match.start(), match.end(), "mobile")
    for match in _LANDLINE.finditer(text, start, end):
        if not _TRACKING_CODE.search(text, max(0, match.start() - 4), match.start()):
            yield Span(match.start(), match.end(), "landline")
    for match in _INTRODUCED_LANDLINE.finditer(text, start, end):
        yield Span(match.start("value"), match.end("value"), "landline")


def _bank_cards(text: str, start: int, end: int) -> Iterator[Span]:
    """16–19 digits (grouped by four or not) passing the Luhn check and starting as issuers'
    numbers do (3–6), or any account number introduced as such (卡号, 账号 …)."""
    for match in _CARD.finditer(text, start, end):
        digits = re.sub("[^0-9]", "", match.group())
        if digits[0] in "3456" and luhn.is_valid(digits):
            yield Span(match.start(), match.end(), "bank_card")
    for match in _INTRODUCED_ACCOUNT.finditer(text, start, end):
        yield Span(match.start("value"), match.end("value"), "bank_card")


def _numbers_in_longer_runs(text: str, start: int, end: int) -> Iterator[Span]:
    """A run of 12+ digits holding a valid ID number anywhere, or starting or ending with a
    mobile (013812345678, a long-distance 0 before it): the number was written against other
    digits, so the whole run goes. A mobile-shaped stretch inside a longer number (an order
    number 2019031512345678) is read as part of that number, and so is a mobile-shaped start
    or end of a code."""
    for match in _LONG_DIGITS.finditer(text, start, end):
        run = match.group()
        for offset in range(len(run) - 17):
            window = run[offset : offset + 18]
            if window[:17].isdigit() and _id_date_ok(window) and id_check_ok(window):
                yield Span(match.start(), match.end(), "id_number")
                break
        else:
            if _is_code(text, match.start(), match.end()):
                continue
            digits = run.rstrip("Xx")
            if _MOBILE_DIGITS.fullmatch(digits[:11]) or _MOBILE_DIGITS.fullmatch(digits[-11:]):
                yield Span(match.start(), match.end(), "mobile")


def _is_code(text: str, start: int, end: int) -> bool:
    """Digits glued to letters (SF914658506511, YW2013120875847) or introduced as an order,
    case or tracking number (订单号：20180219221756904) are a code, not a phone number."""
    touching = text[start - 1 : start] + text[end : end + 1]
    if any("a" <= char.lower() <= "z" for char in touching):
        return True
    return _CODE_CONTEXT.search(text, max(0, start - 10), start) is not None


# --- Internet and vehicle identifiers -----------------------------------------------------------
_EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}"
    r"(?![A-Za-z])"
)
_QQ: Final = re.compile(
    r"(?:QQ|qq|Qq|扣扣)(?:号码|号|账号|帐号)?(?:是|为)?[:： ]{0,2}"
    r"(?P<value>[1-9][0-9]{4,11})(?![0-9])"
)
_WECHAT: Final = re.compile(
    r"(?:微信|威信|薇信|weixin|WeChat|wechat|Wechat|VX|vx|Vx|wx|WX)(?:号码|号|账号|帐号|ID|id)?"
    r"(?:是|为)?[:： ]{0,2}(?P<value>[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])"
)
_PLATE: Final = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼] ?[A-HJ-NP-Za-hj-np-z]"
    r"[·•・. -]?(?P<serial>[A-HJ-NP-Za-hj-np-z0-9]{5,6})[挂学警港澳领]?(?![A-Za-z0-9])"
)


def _qq(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _QQ.finditer(text, start, end):
        yield Span(match.start("value"), match.end("value"), "qq")


def _internet_ids(text: str) -> Iterator[Span]:
    if "@" in text:
        for match in _EMAIL.finditer(text):
            yield Span(match.start(), match.end(), "email")
    for match in _WECHAT.finditer(text):
        yield Span(match.start("value"), match.end("value"), "wechat")


def _plates(text: str) -> Iterator[Span]:
    """Plates of 5 characters after the city letter, or 6 on new-energy plates (D/F first or
    last), with at least three digits (no real plate has fewer)."""
    for match in _PLATE.finditer(text):
        serial = match.group("serial").upper()
        digits = sum(char.isdigit() for char in serial)
        if digits < 3 or (len(serial) == 6 and "D" not in serial and "F" not in serial):
            continue
        yield Span(match.start(), match.end(), "plate")


# --- Addresses below the street -----------------------------------------------------------------
_PART: Final = rf"(?:[{_NUMERAL}]+|[A-Za-z][0-9]*)"
_ADDRESS: Final = re.compile(
    rf"(?<![第{_NUMERAL}A-Za-z])(?:{_PART}(?:号楼|号院|号门|栋|幢|单元|座|号|楼|层|室|户|组|排|弄|房|门)"
    rf"[-之]?)+(?:{_PART}(?:室|号|户)?)?"
)
_ADDRESS_HINT: Final = re.compile(
    rf"[{_NUMERAL}A-Za-z](?:号楼|号院|号门|栋|幢|单元|座|号|楼|层|室|户|组|排|弄|房|门)"
)
_STRONG: Final = re.compile(rf"[{_NUMERAL}A-Za-z](?:号楼|号院|栋|幢|单元|室)")
_ROAD_OR_PLACE: Final = re.compile(
    r"(?:路|街|大道|巷|弄|里|胡同|村|组|社区|小区|花园|家园|公寓|新村|新城|苑|府|庭|大厦|广场|"
    r"山庄|宿舍|园|城|湾|居|阁|郡|邸|轩)$"
)
_ESTATE: Final = re.compile(
    r"[\u4e00-\u9fff]{1,8}?(?:小区|花园|家园|公寓|新村|新城|苑|府|大厦|广场|山庄|宿舍|村)$"
)
_ESTATE_STOP: Final = frozenset("市区县镇乡路街道巷省州旗住在于是的位我家到和与及、对向")
_A_COUNT: Final = re.compile("[一两][栋幢座户层楼]")  # 一栋小区楼, 两户人家
_LAYOUT: Final = re.compile(rf"[{_NUMERAL}]室[{_NUMERAL}]*厅")
_COUNTS: Final = re.compile(r"(?:楼|房|建筑|住宅|别墅|厅|一厅|两厅|二厅|人|个|家|名)")
_ONE_COUNT: Final = re.compile(rf"[{_NUMERAL}]+[栋幢座户]")
_COUNT_BEFORE: Final = frozenset("有共约近计达另余")  # 小区有8栋, 共3户
# Building-unit-room written with dashes right after an estate (紫薇苑13-1-1662, 壹号2-6-632).
_HYPHENATED: Final = re.compile(r"(?<![0-9-])[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,5}(?![0-9-])")
_LIVES_AT: Final = re.compile(r"(?:住址|地址|住在|家住|居住|本人住)[^，。；,;]{0,20}$")
_HYPHENATED_HINT: Final = re.compile("[0-9]-[0-9]{1,3}-[0-9]")


def _addresses(text: str) -> Iterator[Span]:
    """Building, unit, room and house numbers (and the estate or village they belong to): what
    lies below the street. A number followed by 号 alone counts only after a road or an estate
    (文三路18号), so dates (3月12号), document numbers (〔2019〕12号) and metro lines stay."""
    for window in _windows(text, _ADDRESS_HINT, 12, 12):
        yield from _addresses_in(text, *window)
    for start, end in _windows(text, _HYPHENATED_HINT, 6, 6):
        for match in _HYPHENATED.finditer(text, start, end):
            before = text[max(0, match.start() - 12) : match.start()]
            lives_at = _LIVES_AT.search(text, max(0, match.start() - 26), match.start())
            if _ROAD_OR_PLACE.search(before) or before.endswith("号") or lives_at:
                yield Span(_estate_start(text, match.start()), match.end(), "address")


def _addresses_in(text: str, window_start: int, window_end: int) -> Iterator[Span]:
    for match in _ADDRESS.finditer(text, window_start, window_end):
        start, end = match.start(), match.end()
        part = match.group()
        if _LAYOUT.search(text, start, end + 3) or (
            _COUNTS.match(text, end) and not _STRONG.search(part[:-1])
        ):
            continue  # "3栋楼", "3室2厅": a count or a layout, not an address
        before = text[max(0, start - 12) : start]
        anchored = _ROAD_OR_PLACE.search(before) is not None
        if (not anchored and not _STRONG.search(part)) or _is_a_count(text, start, part):
            continue
        yield Span(_estate_start(text, start), end, "address")


def _is_a_count(text: str, start: int, part: str) -> bool:
    """一栋小区楼, 两户人家, 小区有8栋: how many buildings, not which one."""
    if _A_COUNT.fullmatch(part):
        return True
    return text[start - 1 : start] in _COUNT_BEFORE and _ONE_COUNT.fullmatch(part) is not None


def _estate_start(text: str, start: int) -> int:
    """Where the estate or village named right before a building number begins (阳光小区3栋)."""
    before = text[max(0, start - 10) : start]
    match = _ESTATE.search(before)
    if match is None:
        return start
    name = match.group()
    cut = max((i + 1 for i, char in enumerate(name[:-2]) if char in _ESTATE_STOP), default=0)
    return start - len(name) + cut


# --- Names --------------------------------------------------------------------------------------
# Introductions followed by a name and nothing else: the name is taken as written.
_NAMING: Final = re.compile(
    r"(?:我叫|我名叫|名叫|本人叫|我的名字叫|我的名字是|本人姓名|姓名|名字|联系人|落款|署名|签名|"
    r"来信人|留言人|写信人)(?:是|为)?[:： ]{0,2}(?=[\u4e00-\u9fff])"
)
# Roles and descriptions that may be followed by a name or by a verb (投诉人认为, 居民反映):
# the name must read as one to jieba's tagger and end at a boundary.
_WEAK_INTRODUCERS: Final = re.compile(
    r"(?:我是|本人|申请人|投诉人|举报人|反映人|当事人|户主|求助人|咨询人|受害人|"
    r"我儿子|我女儿|我父亲|我母亲|我爸爸|我妈妈|我丈夫|我妻子|我爱人|我老公|我老婆|我孙子|我孙女|"
    r"我弟弟|我哥哥|我姐姐|我妹妹|业主|患者|学生|家长|居民|村民|市民|职工|员工|教师|农民|工人|党员|"
    r"群众|住户|租户|车主|商户|店主|司机|网民|网友)[:： ]?(?=[\u4e00-\u9fff])"
)
_TITLES: Final = re.compile(r"先生|女士|小姐|同志|老师|师傅|阿姨|大爷|大妈|老先生|老太太")
_AFTER_WEAK_NAME: Final = frozenset(
    "，。,.；;！!？?、 \n是在于现家住今年因从向的男女身电联系反映居出"
)


def _surname_at(text: str, index: int) -> int:
    """Length of the surname starting at ``index`` (2 for 欧阳, 1 for 王), or 0."""
    if text[index : index + 2] in _COMPOUND_SURNAMES:
        return 2
    return 1 if index < len(text) and text[index] in _SURNAMES else 0


def _given_length(text: str, start: int, most: int = 2) -> int:
    length = 0
    while length < most and start + length < len(text):
        char = text[start + length]
        if not "\u4e00" <= char <= "\u9fff" or char in _NOT_IN_GIVEN_NAME:
            break
        length += 1
    return length


_NAME_TAGS: Final = ("nr", "ns")


def _reads_as_name(text: str, start: int, end: int) -> bool:
    """jieba's tagger does not read the candidate as the start of another word (公约, 相信,
    全体): its first word is a person's or place name (a lone surname is tagged as one), or a
    compound surname."""
    word, tag = rjieba.tag(text[start : end + 2])[0]
    return tag.startswith(_NAME_TAGS) or word in _COMPOUND_SURNAMES


def _introduced_names(text: str) -> Iterator[Span]:
    """Names a person gives (我叫王小明, 姓名：李建国, 我儿子张强, 我是退休职工罗佳国): surname
    and given name."""
    for pattern, weak in ((_NAMING, False), (_WEAK_INTRODUCERS, True)):
        for match in pattern.finditer(text):
            start = match.end()
            surname = _surname_at(text, start)
            given = _given_length(text, start + surname) if surname else 0
            end = start + surname + given
            if not given or (weak and end < len(text) and text[end] not in _AFTER_WEAK_NAME):
                continue
            if (
                not weak
                or _reads_as_name(text, start, end)
                or _closed_by_punctuation(text, start, end)
            ):
                yield Span(start, end, "name")


def _closed_by_punctuation(text: str, start: int, end: int) -> bool:
    """本人方静，/ 本人于佳。: a short name closed by punctuation right after an introduction is
    a name even when the tagger does not know it — unless the tagger reads it as one ordinary
    word (业主公约。)."""
    if end - start > 3 or text[end : end + 1] not in _PUNCTUATION:
        return False
    return text[start] == "于" or len(rjieba.tag(text[start:end])[0][0]) < end - start


_PUNCTUATION: Final = frozenset("，。、；！？,.;!?（(")


def _addressed_names(text: str) -> Iterator[Span]:
    """Names before a form of address (王小明先生, 李女士, 张三同志): the surname and the given
    name (the title stays, so masking leaves 王先生)."""
    for match in _TITLES.finditer(text):
        start = _name_before(text, match.start())
        if start is not None:
            yield Span(start, match.start(), "name")


def _name_before(text: str, title: int) -> int | None:
    """Where the name before a title starts: the longest surname + given name (0–2 characters)
    that reads as a name and starts a word (not 校区老师, 全体同志)."""
    for given in (2, 1, 0):
        for surname in (2, 1):
            start = title - given - surname
            if start < 0 or _surname_at(text, start) != surname:
                continue
            if given and _given_length(text, title - given, given) != given:
                continue
            if text[start] in _WORDLIKE_SURNAMES and (
                text[start + 1] in _SURNAMES
                if given
                else text[start - 1 : start] not in _BEFORE_WORDLIKE_SURNAME
            ):
                continue  # 向王先生, 家长和老师, 关于女士: words here, not surnames
            if given and not _reads_as_name(text, start, title):
                continue
            if _starts_a_word(text, start, title):
                return start
    return None


def _starts_a_word(text: str, start: int, end: int) -> bool:
    """jieba puts a word boundary at ``start`` (业主|王先生, but 东西校|区老师)."""
    before = max(0, start - 3)
    offset = before
    for word in rjieba.cut(text[before:end]):
        if offset >= start:
            return offset == start
        offset += len(word)
    return offset == start


# --- Putting it together ------------------------------------------------------------------------
_Finders = tuple[Callable[[str], Iterator[Span]], ...]
_FINDERS: Final[_Finders] = (
    _numbers,
    _internet_ids,
    _plates,
    _addresses,
    _introduced_names,
    _addressed_names,
)


def _introduced_first(spans: set[Span]) -> list[Span]:
    """A number introduced as a QQ id (QQ：13912345678) is a QQ id, not the mobile it looks like."""
    introduced = {(span.start, span.end) for span in spans if span.kind in ("qq", "wechat")}
    return sorted(
        span
        for span in spans
        if span.kind not in _LOOKS or (span.start, span.end) not in introduced
    )


_LOOKS: Final = frozenset({"mobile", "landline"})


def find(text: str) -> list[Span]:
    """Every piece of personal information in ``text``, in order, without overlaps: where two
    findings overlap they become one span of the more sensitive kind (see KINDS)."""
    return _find(text, _FINDERS)


def mask_numbers(text: str) -> str:
    """Only ID numbers, bank cards, phones, QQ ids and e-mail addresses masked: for logs and
    other machine text, where names and addresses are not looked for (it needs no tagger)."""
    return _masked(text, (_numbers, _internet_ids))


def _find(text: str, finders: _Finders) -> list[Span]:
    if not text:
        return []
    plain = _halfwidth(text)
    found = _introduced_first({span for finder in finders for span in finder(plain)})
    merged: list[Span] = []
    for span in found:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, span.kind, key=_PRIORITY.__getitem__)
            merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
    return merged


def mask(text: str) -> str:
    """``text`` as a publishing body shows it: 138****1234, 35*************123, 王先生 / 王某某,
    the address cut at the street (***), e-mails, bank cards, QQ and WeChat ids removed (***),
    plates kept to their province (浙******). Masking the result again changes nothing: the
    text is masked again until that holds, checked around what changed (what a pattern sees
    reaches at most _REACH characters, so text further away cannot have changed its reading)."""
    return _masked(text, _FINDERS)


def _masked(text: str, finders: _Finders) -> str:
    for _ in range(8):
        masked, changed = _mask_once(text, finders)
        if masked == text or _settled(masked, changed, finders):
            return masked
        text = masked
    return text


_REACH: Final = 80


def _settled(
    text: str,
    changed: list[tuple[int, int]],
    finders: _Finders,
) -> bool:
    windows = _around(len(text), changed, _REACH, _REACH)
    return all(_mask_once(text[a:b], finders)[0] == text[a:b] for a, b in windows)


def _mask_once(text: str, finders: _Finders) -> tuple[str, list[tuple[int, int]]]:
    """The masked text and where, in it, the replacements are."""
    pieces, changed, position, length = [], [], 0, 0
    for span in _find(text, finders):
        kept = text[position : span.start]
        replacement = _MASKS[span.kind](text, span)
        pieces += [kept, replacement]
        length += len(kept)
        changed.append((length, length + len(replacement)))
        length += len(replacement)
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces), changed


def _mask_digits(text: str, span: Span) -> str:
    """Mobiles: 138****1234 (a country code dropped); longer runs keep 3 first and 4 last."""
    digits = re.sub("[^0-9]", "", _halfwidth(text[span.start : span.end]))
    if (
        len(digits) in (13, 15)
        and digits[-11] == "1"
        and digits[: len(digits) - 11] in ("86", "0086")
    ):
        digits = digits[-11:]
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _mask_landline(text: str, span: Span) -> str:
    """0571-****4321: the area code stays, the number's last four digits stay."""
    value = _halfwidth(text[span.start : span.end])
    area = re.match(rf"{_OPEN}?(0[0-9]{{2,3}}){_CLOSE}?{_SEP}?(?=[0-9])", value)
    number = re.sub("[^0-9]", "", value[area.end() :] if area else value)
    prefix = f"{area.group(1)}-" if area else ""
    return prefix + "*" * max(len(number) - 4, 3) + number[-4:]


def _mask_id(text: str, span: Span) -> str:
    value = text[span.start : span.end]
    return value[:2] + "*" * (len(value) - 5) + value[-3:] if len(value) > 8 else "*" * len(value)


def _mask_name(text: str, span: Span) -> str:
    """王小明先生 → 王先生 (a title follows); 我叫王小明 → 我叫王某某."""
    surname = _surname_at(text, span.start) or 1
    if _TITLES.match(text, span.end):
        return text[span.start : span.start + surname]
    return text[span.start : span.start + surname] + "某" * max(span.end - span.start - surname, 1)


def _mask_plate(text: str, span: Span) -> str:
    return text[span.start] + "*" * 6


def _removed(text: str, span: Span) -> str:
    return "***"


_MASKS: Final[dict[str, Callable[[str, Span], str]]] = {
    "id_number": _mask_id,
    "bank_card": _removed,
    "mobile": _mask_digits,
    "landline": _mask_landline,
    "email": _removed,
    "qq": _removed,
    "wechat": _removed,
    "plate": _mask_plate,
    "address": _removed,
    "name": _mask_name,
}
