"""The generated government information of ``bench/disclosure.py``: vocabulary, rows, loading.

Everything here is deterministic from the seed: the same seed and size give the same rows,
ids, index numbers and search documents. Titles come from templates per category (the 15
categories of Art. 20) × actions × ~80 topics × the issuing bodies and their regions; about
30 % of the documents have an English title, summary and text. Rows are made day by day from
2015-01-01 to ``LAST_DAY`` in the order of publication, so the newest information has the
highest id, as on a live site.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from desk import log

FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2026, 11, 27)  # fixed, so that a seed always gives the same rows
SHANGHAI = ZoneInfo("Asia/Shanghai")
ENGLISH_SHARE = 0.30
YEARLY_GROWTH = 1.06
BATCH = 20_000
BENCH_USERNAME = "bench_disclosure_author"

ACTIONS = (  # (Chinese, English gerund, English infinitive)
    ("进一步加强", "strengthening", "strengthen"),
    ("加快推进", "accelerating", "accelerate"),
    ("深化", "deepening", "deepen"),
    ("做好", "doing well in", "do well in"),
    ("规范", "regulating", "regulate"),
    ("完善", "improving", "improve"),
    ("全面推行", "fully implementing", "fully implement"),
    ("优化", "optimising", "optimise"),
    ("促进", "promoting", "promote"),
    ("支持", "supporting", "support"),
)

TOPICS = (
    ("住房租赁市场", "the housing rental market"),
    ("安全生产", "work safety"),
    ("生活垃圾分类", "household waste sorting"),
    ("营商环境", "the business environment"),
    ("政务服务", "government services"),
    ("养老服务体系", "elderly care services"),
    ("义务教育", "compulsory education"),
    ("公共卫生应急", "public health emergencies"),
    ("农村人居环境", "the rural living environment"),
    ("城市更新", "urban renewal"),
    ("数字政府建设", "digital government"),
    ("小微企业融资", "financing for small businesses"),
    ("稳就业", "stable employment"),
    ("高校毕业生就业", "employment of graduates"),
    ("医疗保障", "medical security"),
    ("基本医疗保险", "basic medical insurance"),
    ("住房公积金", "the housing provident fund"),
    ("城乡居民养老保险", "residents' pension insurance"),
    ("最低生活保障", "subsistence allowances"),
    ("残疾人帮扶", "support for disabled people"),
    ("食品安全", "food safety"),
    ("药品监管", "drug regulation"),
    ("生态环境保护", "environmental protection"),
    ("大气污染防治", "air pollution control"),
    ("水污染防治", "water pollution control"),
    ("河长制", "the river chief system"),
    ("防汛防台", "flood and typhoon prevention"),
    ("森林防火", "forest fire prevention"),
    ("道路交通安全", "road safety"),
    ("消防安全", "fire safety"),
    ("建筑工地扬尘治理", "dust control on building sites"),
    ("老旧小区改造", "renovation of old residential compounds"),
    ("保障性租赁住房", "affordable rental housing"),
    ("农业产业化", "agricultural industrialisation"),
    ("高标准农田建设", "high-standard farmland"),
    ("乡村振兴", "rural revitalisation"),
    ("文化旅游", "culture and tourism"),
    ("全民健身", "fitness for all"),
    ("科技创新", "scientific and technological innovation"),
    ("知识产权保护", "intellectual property protection"),
    ("专精特新企业培育", "specialised and innovative enterprises"),
    ("招商引资", "investment promotion"),
    ("公共资源交易", "public resource trading"),
    ("行政执法", "administrative law enforcement"),
    ("行政审批制度改革", "the reform of administrative approvals"),
    ("最多跑一次改革", "the one-visit-at-most reform"),
    ("社会信用体系建设", "the social credit system"),
    ("统计调查", "statistical surveys"),
    ("交通基础设施", "transport infrastructure"),
    ("城市轨道交通", "urban rail transit"),
    ("人才引进", "attracting talent"),
    ("退役军人服务保障", "services for veterans"),
    ("社会救助", "social assistance"),
    ("儿童福利", "child welfare"),
    ("婴幼儿照护服务", "infant care services"),
    ("学前教育", "preschool education"),
    ("职业技能培训", "vocational skills training"),
    ("劳动保障监察", "labour inspection"),
    ("欠薪治理", "unpaid wages"),
    ("市场监管", "market regulation"),
    ("特种设备安全", "special equipment safety"),
    ("产品质量监督", "product quality supervision"),
    ("疫苗接种", "vaccination"),
    ("地质灾害防治", "geological hazard prevention"),
    ("应急物资储备", "emergency supplies"),
    ("节能降碳", "energy saving and carbon reduction"),
    ("新能源汽车推广", "new energy vehicles"),
    ("电动自行车管理", "electric bicycles"),
    ("物业管理", "property management"),
    ("不动产登记", "real estate registration"),
    ("户籍管理", "household registration"),
    ("居住证办理", "residence permits"),
    ("出入境管理", "entry and exit administration"),
    ("耕地保护", "farmland protection"),
    ("旅游市场秩序", "order in the tourism market"),
    ("校外培训治理", "off-campus tutoring"),
    ("网络安全", "cybersecurity"),
    ("数据资源管理", "data resources"),
    ("公共法律服务", "public legal services"),
    ("信访工作", "petitions"),
)

MONTHS_EN = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


@dataclass(frozen=True)
class Template:
    zh: str
    en: str
    kind: str


# Per category (Art. 20, in order): its weight in the catalogue and usual openness type, then
# its title templates: "kind | Chinese", and the English title on the next line.
TEMPLATE_TABLE = """
rules 14 decision
  policy | 关于{act}{topic}工作的实施意见
    Implementing opinions on {act_en} {topic_en}
  policy | 关于{act}{topic}的若干措施
    Measures for {act_en} {topic_en}
  regulation | {region}{topic}管理办法
    Measures of {region_en} on {topic_en}
  notice | 关于{act}{topic}工作的通知
    Notice on {act_en} {topic_en}
  notice | 关于印发《{topic}工作规范》的通知
    Notice issuing the work rules on {topic_en}
  interpretation | 《关于{act}{topic}工作的实施意见》政策解读
    Interpretation: opinions on {act_en} {topic_en}
organisation 2 management
  notice | {body}主要职责
    Main functions of the {body_en}
  notice | {body}内设机构及联系方式
    Departments and contacts of the {body_en}
  notice | {body}领导分工调整情况
    Division of work among the leaders of the {body_en}
plans 5 decision
  plan | {region}{topic}“十四五”规划
    The 14th Five-Year Plan of {region_en} for {topic_en}
  plan | {year}年{topic}工作要点
    Key tasks for {topic_en} in {year}
  plan | {region}{topic}三年行动计划（{year}—{year2}年）
    Three-year action plan of {region_en} for {topic_en} ({year}–{year2})
statistics 6 result
  statistics | {year}年{month}月{region}{topic}统计数据
    {region_en}: statistics of {topic_en}, {month_en} {year}
  statistics | {year}年{region}国民经济和社会发展统计公报
    Statistical communiqué of {region_en} on economic and social development in {year}
  statistics | {year}年{topic}情况统计
    Statistics of {topic_en} in {year}
licensing 10 service
  notice | {topic}行政许可事项办事指南
    Service guide: licences for {topic_en}
  notice | 关于{act}{topic}“一网通办”的通知
    Notice on {act_en} {topic_en} online
  statistics | {body}{year}年第{quarter}季度行政许可信息公示
    Licences granted by the {body_en}, Q{quarter} {year}
enforcement 12 result
  notice | {body}行政处罚决定书（{doc}）
    Penalty decision of the {body_en} ({doc})
  notice | {year}年{month}月{topic}行政执法信息公示
    Law enforcement in {topic_en}: {month_en} {year}
  notice | 关于{topic}领域执法检查情况的通报
    Report on law enforcement inspections in {topic_en}
budgets 4 management
  statistics | {body}{year}年部门预算
    Departmental budget of the {body_en} for {year}
  statistics | {body}{year0}年部门决算
    Final accounts of the {body_en} for {year0}
  statistics | {body}{year0}年度“三公”经费决算说明
    Official travel, vehicle and reception spending of the {body_en} in {year0}
fees 2 management
  notice | {region}行政事业性收费目录清单（{year}年版）
    Administrative fees of {region_en} ({year} edition)
  notice | 关于{topic}收费标准的公告
    Notice of the fees for {topic_en}
procurement 10 execution
  notice | {body}{topic}服务采购项目公开招标公告
    Call for tenders: {topic_en} services for the {body_en}
  notice | {body}{topic}项目中标结果公告
    Award notice: {topic_en} project of the {body_en}
  notice | {body}{year}年政府采购意向公开
    Procurement intentions of the {body_en} for {year}
projects 5 execution
  notice | {region}{year}年重大建设项目名单
    Major construction projects of {region_en} in {year}
  notice | 关于{region}{topic}项目批准情况的公告
    Approval of the {topic_en} project in {region_en}
  news | {region}{topic}工程建设进展情况
    Progress of the {topic_en} works in {region_en}
welfare 8 service
  notice | 关于{act}{topic}工作的通知
    Notice on {act_en} {topic_en}
  statistics | {region}{year}年{topic}资金分配情况公示
    Funds for {topic_en} in {region_en}, {year}
  notice | 关于调整{region}{topic}标准的通知
    Notice on new standards of {topic_en} in {region_en}
emergencies 4 execution
  plan | {region}{topic}应急预案
    Emergency plan of {region_en} for {topic_en}
  notice | 关于做好{topic}工作的紧急通知
    Urgent notice on {topic_en}
  news | {region}{topic}预警信息
    Warning: {topic_en} in {region_en}
inspections 6 result
  notice | {year}年第{quarter}季度{topic}抽查结果公告
    Spot checks on {topic_en}, Q{quarter} {year}
  notice | 关于{year}年{topic}专项检查情况的通报
    Special inspection of {topic_en} in {year}
recruitment 4 service
  notice | {body}{year}年公开招聘工作人员公告
    The {body_en} recruits staff in {year}
  notice | {year}年度{body}考试录用公务员拟录用人员名单公示
    Civil servants to be appointed by the {body_en} in {year}
  notice | {body}{year}年公开招聘面试成绩公布
    Interview results of the {body_en}'s recruitment in {year}
other 8 management
  news | {body}召开{topic}工作会议
    The {body_en} holds a meeting on {topic_en}
  news | {region}{act}{topic}工作取得新进展
    {region_en} makes progress in {act_en} {topic_en}
  picture | 图片：{region}{topic}工作纪实
    Pictures: {topic_en} in {region_en}
  video | 视频：{topic}政策解读
    Video: the policy on {topic_en} explained
  topic | {topic}专题
    Topic: {topic_en}
"""


def _categories(table: str) -> dict[str, tuple[int, str, tuple[Template, ...]]]:
    parsed: dict[str, tuple[int, str, list[Template]]] = {}
    name, kind, zh = "", "", ""
    for line in table.strip().splitlines():
        if line.startswith("    "):
            parsed[name][2].append(Template(zh, line.strip(), kind))
        elif line.startswith("  "):
            kind, zh = (part.strip() for part in line.split("|"))
        else:
            name, weight, openness = line.split()
            parsed[name] = (int(weight), openness, [])
    return {key: (w, o, tuple(t)) for key, (w, o, t) in parsed.items()}


CATEGORIES = _categories(TEMPLATE_TABLE)

NUMBERED = {"policy", "regulation", "notice", "plan"}  # kinds with a document number (文号)
INTERPRETED = {"policy", "regulation", "notice", "plan"}
KIND_WORDS = {
    "policy": "意见",
    "regulation": "办法",
    "notice": "通知",
    "plan": "规划",
    "statistics": "公报",
    "interpretation": "解读",
}
OPENNESS = ("decision", "execution", "management", "service", "result")
SUMMARY_FOCUS = (
    "主要目标和重点任务",
    "工作要求和保障措施",
    "适用范围和办理程序",
    "有关数据和说明",
    "实施步骤和责任分工",
)
MIDDLE_SENTENCES = (
    "各地各部门要提高认识，加强组织领导，明确责任分工，确保各项任务落到实处。",
    "要坚持以人民为中心，聚焦群众急难愁盼问题，持续提升服务质量和效率。",
    "对工作中发现的问题，要及时整改到位，建立长效机制，防止问题反弹。",
    "各级财政部门要加大资金保障力度，统筹安排相关经费，提高资金使用效益。",
    "要充分运用数字化手段，推动数据共享，减少群众办事材料和跑动次数。",
    "相关单位应当于每季度末报送工作进展情况，重大事项及时报告。",
    "要加强宣传引导，及时回应社会关切，营造良好的舆论氛围。",
)
ENGLISH_MIDDLE = (
    "Every department shall set clear responsibilities and see that each task is carried out.",
    "Services shall focus on what matters most to residents and keep getting faster.",
    "Problems found shall be corrected promptly, and lasting rules put in place.",
    "Finance departments shall provide the funds needed and use them well.",
    "Data shall be shared so that residents provide fewer documents and make fewer trips.",
)


@dataclass(frozen=True)
class Body:
    pk: int
    short_code: str
    name_zh: str
    name_en: str
    region_code: str
    region_zh: str
    region_en: str


@dataclass
class Row:
    """One information, as its columns; ``search`` is what the search index reads."""

    pk: int
    index_no: str
    body: Body
    kind: str
    category: str
    openness: str
    doc_number: str
    title: str
    summary: str
    text: str
    title_en: str
    summary_en: str
    text_en: str
    interprets: int | None
    generated_on: dt.date
    valid_until: dt.date | None
    repealed_on: dt.date | None
    published_at: dt.datetime
    created_at: dt.datetime


def per_day(total: int, rng: random.Random) -> list[tuple[dt.date, int]]:
    """How many documents are published each day: weekdays ten times weekends, growing 6 %
    a year; integer shares of ``total`` by cumulative rounding (exactly ``total``)."""
    days, weights = [], []
    day = FIRST_DAY
    while day <= LAST_DAY:
        weekday = 1.0 if day.weekday() < 5 else 0.1
        weights.append(weekday * YEARLY_GROWTH ** (day.year - FIRST_DAY.year))
        days.append(day)
        day += dt.timedelta(days=1)
    whole = sum(weights)
    counts, running, given = [], 0.0, 0
    for weight in weights:
        running += weight
        share = round(running / whole * total) - given
        counts.append(share)
        given += share
    return list(zip(days, counts, strict=True))


class Generator:
    """Makes the rows in publication order; index numbers and document numbers count per
    body and year, interpretations name the body's latest interpretable document."""

    def __init__(self, bodies: Sequence[Body], seed: int) -> None:
        self.rng = random.Random(seed)
        self.bodies = list(bodies)
        order = list(range(len(self.bodies)))
        self.rng.shuffle(order)  # a few bodies publish much more than most
        self.body_weights = [1.0 / (1 + rank) ** 0.6 for rank in order]
        self.categories = list(CATEGORIES)
        self.category_weights = [CATEGORIES[c][0] for c in self.categories]
        self.sequences: dict[tuple[int, int], int] = {}
        self.doc_numbers: dict[tuple[int, int], int] = {}
        self.latest_interpretable: dict[int, int] = {}

    def rows(self, total: int) -> Iterator[Row]:
        pk = 0
        for day, count in per_day(total, self.rng):
            seconds = sorted(self.rng.randrange(8 * 3600, 19 * 3600) for _ in range(count))
            for second in seconds:
                pk += 1
                published = dt.datetime.combine(day, dt.time(), SHANGHAI) + dt.timedelta(
                    seconds=second
                )
                yield self.row(pk, published)

    def row(self, pk: int, published: dt.datetime) -> Row:
        rng = self.rng
        body = rng.choices(self.bodies, self.body_weights)[0]
        category = rng.choices(self.categories, self.category_weights)[0]
        _weight, openness, templates = CATEGORIES[category]
        template = rng.choice(templates)
        generated = max(FIRST_DAY, published.date() - dt.timedelta(days=rng.randrange(0, 28)))
        year = generated.year
        act, act_en, act_inf = rng.choice(ACTIONS)
        topic, topic_en = rng.choice(TOPICS)
        sequence = self.sequences[body.pk, year] = self.sequences.get((body.pk, year), 0) + 1
        doc = ""
        if template.kind in NUMBERED or "{doc}" in template.zh:
            number = self.doc_numbers[body.pk, year] = self.doc_numbers.get((body.pk, year), 0) + 1
            doc = f"{body.short_code}发〔{year}〕{number}号"
        month = rng.randrange(1, 13)
        values = {
            "act": act, "act_en": act_en, "topic": topic, "topic_en": topic_en,
            "body": body.name_zh, "body_en": body.name_en, "region": body.region_zh,
            "region_en": body.region_en, "year": year, "year0": year - 1, "year2": year + 2,
            "month": month, "month_en": MONTHS_EN[month - 1], "quarter": rng.randrange(1, 5),
            "doc": doc,
        }  # fmt: skip
        title = template.zh.format(**values)[:200]
        kind_word = KIND_WORDS.get(template.kind, "信息")
        summary = f"{act}{topic}工作的{rng.choice(SUMMARY_FOCUS)}。"
        text = "\n".join(
            (
                f"为{act}{topic}工作，根据有关法律法规规定，结合{body.region_zh}实际，"
                f"{body.name_zh}制定本{kind_word}。",
                *rng.sample(MIDDLE_SENTENCES, 2),
                f"本{kind_word}自{generated.year}年{generated.month}月{generated.day}日起施行。",
            )
        )
        english = rng.random() < ENGLISH_SHARE
        interprets = None
        if template.kind == "interpretation":
            interprets = self.latest_interpretable.get(body.pk)
        elif template.kind in INTERPRETED:
            self.latest_interpretable[body.pk] = pk
        valid_until = repealed_on = None
        if template.kind in ("policy", "regulation") and rng.random() < 0.4:
            valid_until = generated.replace(day=1) + dt.timedelta(days=5 * 365)
            if year < 2021 and rng.random() < 0.1:
                repealed_on = generated + dt.timedelta(days=3 * 365)
        created = max(
            dt.datetime.combine(generated, dt.time(9), SHANGHAI),
            published - dt.timedelta(hours=rng.randrange(1, 72)),
        )
        return Row(
            pk=pk,
            index_no=f"{body.region_code}-{body.pk:04d}-{year}-{sequence:05d}",
            body=body,
            kind=template.kind,
            category=category,
            openness=openness if rng.random() < 0.8 else rng.choice(OPENNESS),
            doc_number=doc,
            title=title,
            summary=summary,
            text=text,
            title_en=template.en.format(**values)[:300] if english else "",
            summary_en=f"The {SUMMARY_EN[rng.randrange(5)]} for {act_en} {topic_en}."
            if english
            else "",
            text_en=(
                f"To {act_inf} {topic_en}, the {body.name_en} issues the following.\n"
                + " ".join(rng.sample(ENGLISH_MIDDLE, 2))
            )
            if english
            else "",
            interprets=interprets,
            generated_on=generated,
            valid_until=valid_until,
            repealed_on=repealed_on if repealed_on and repealed_on <= LAST_DAY else None,
            published_at=published,
            created_at=min(created, published),
        )


SUMMARY_EN = (
    "main goals and tasks",
    "requirements and safeguards",
    "scope and procedure",
    "figures and notes",
    "steps and responsibilities",
)

INFO_COLUMNS = (
    *("id", "index_no", "body_id", "kind", "category", "openness", "attribute"),
    *("withheld_reason", "doc_number", "title", "summary", "text", "title_en", "summary_en"),
    *("text_en", "interprets_id", "generated_on", "changed_on", "valid_until", "repealed_on"),
    *("publish_at", "published_at", "state", "revision", "withdrawn_reason", "created_by_id"),
    *("created_at", "updated_at"),
)
DOCUMENT_COLUMNS = ("kind", "object_id", "title", "tokens", "length")


def info_values(row: Row, author: int) -> tuple[Any, ...]:
    return (
        row.pk, row.index_no, row.body.pk, row.kind, row.category, row.openness, "proactive",
        "", row.doc_number, row.title, row.summary, row.text, row.title_en, row.summary_en,
        row.text_en, row.interprets, row.generated_on, row.generated_on, row.valid_until,
        row.repealed_on, None, row.published_at, "published", 1, "", author,
        row.created_at, row.published_at,
    )  # fmt: skip


def document_values(row: Row) -> tuple[Any, ...]:
    """The search document exactly as ``do_index`` would write it (the same function)."""
    from yiwang.disclosure.actions import SEARCH_KIND, search_text
    from yiwang.disclosure.models import Information
    from yiwang.search.actions import Source, _document

    info = Information(
        index_no=row.index_no, doc_number=row.doc_number, summary=row.summary, text=row.text
    )
    document = _document(Source(SEARCH_KIND, row.pk, row.title, search_text(info)))
    return (document.kind, document.object_id, document.title, document.tokens, document.length)


# --- Loading -----------------------------------------------------------------------------------


def read_bodies() -> list[Body]:
    from yiwang.orgs.models import Department

    rows = Department.objects.select_related("region").order_by("pk")
    return [
        Body(
            d.pk, d.short_code, d.name_zh, d.name_en or d.name_zh, d.region.code, d.region.name_zh,
            d.region.name_en or d.region.name_zh,
        )
        for d in rows
    ]  # fmt: skip


def bench_author() -> int:
    from yiwang.accounts.models import User

    user, _ = User.objects.get_or_create(username=BENCH_USERNAME, defaults={"is_active": False})
    return user.pk


def load(total: int, seed: int) -> dict[str, float]:
    """Write ``total`` information rows and their search documents with COPY, then the index
    sequences, the sequence of ids and the search statistics. Seconds per step."""
    from django.db import connection, transaction

    from yiwang.search.actions import do_refresh_statistics

    author = bench_author()
    generator = Generator(read_bodies(), seed)
    started = time.perf_counter()
    written, spent = 0, {"generate_s": 0.0, "copy_s": 0.0}
    rows = generator.rows(total)
    while True:
        tick = time.perf_counter()
        batch = [next(rows, None) for _ in range(BATCH)]
        batch_rows = [row for row in batch if row is not None]
        if not batch_rows:
            break
        infos = [info_values(row, author) for row in batch_rows]
        documents = [document_values(row) for row in batch_rows]
        spent["generate_s"] += time.perf_counter() - tick
        tick = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            copy_rows(cursor, "disclosure_information", INFO_COLUMNS, infos)
            copy_rows(cursor, "search_document", DOCUMENT_COLUMNS, documents)
        spent["copy_s"] += time.perf_counter() - tick
        written += len(batch_rows)
        if written % 100_000 == 0 or written == total:
            log(f"  {written:,} written ({time.perf_counter() - started:.0f} s)")
    finish_sequences(generator)
    tick = time.perf_counter()
    do_refresh_statistics("disclosure")
    spent["statistics_s"] = time.perf_counter() - tick
    return {name: round(value, 1) for name, value in spent.items()}


def copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    text = io.StringIO()
    for row in rows:
        text.write("\t".join(_copy_text(value) for value in row) + "\n")
    text.seek(0)
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := text.read(1 << 20):
            copy.write(chunk)


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def finish_sequences(generator: Generator) -> None:
    """The ids' sequence past the last row, and each body's index sequence per year, so that
    the next draft gets the next number."""
    from django.db import connection

    from yiwang.disclosure.models import IndexSequence

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('disclosure_information', 'id'), "
            "(SELECT MAX(id) FROM disclosure_information))"
        )
    IndexSequence.objects.bulk_create(
        IndexSequence(body_id=body, year=year, last_value=value)
        for (body, year), value in sorted(generator.sequences.items())
    )


def render_pages(workers: int) -> int:
    """Render and keep every information's page as publication does
    (``page_cache.do_render_pages``), in ``workers`` processes over ranges of ids. The
    number of pages kept."""
    import multiprocessing

    from django.db import connections
    from django.db.models import Max, Min

    from yiwang.disclosure.models import Information, PublishedPage

    PublishedPage.objects.all().delete()
    bounds = Information.objects.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"] or 0, (bounds["high"] or 0) + 1
    step = -(-(high - low) // workers)
    ranges = [(start, min(start + step, high)) for start in range(low, high, step)]
    connections.close_all()  # each process opens its own
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.starmap(_render_range, ranges))


def _render_range(start: int, stop: int) -> int:
    from yiwang.disclosure.models import Information
    from yiwang.disclosure.page_cache import REFRESH_BATCH, SHOWN, do_render_pages

    kept, after = 0, start - 1
    while True:
        rows = Information.objects.filter(pk__gt=after, pk__lt=stop, state__in=SHOWN)
        batch = list(rows.order_by("pk").values_list("pk", "index_no")[:REFRESH_BATCH])
        if not batch:
            return kept
        kept += do_render_pages([number for _, number in batch])
        after = batch[-1][0]
