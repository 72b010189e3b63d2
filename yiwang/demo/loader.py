"""Demo data: one province's organisations, the default taxonomy, staff and messages.

Everything here is idempotent: reference data upserts by code, messages carry a fixed
submission token, so running ``load_demo`` again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from django.utils import timezone

from yiwang.accounts.actions import do_create_staff
from yiwang.accounts.models import User
from yiwang.channels.models import Campaign
from yiwang.demo.generator import DemoMessage, generate_messages
from yiwang.demo.states import advance_demo_state
from yiwang.intake.actions import SubmissionContext, do_submit_message
from yiwang.intake.models import Channel, Message
from yiwang.intake.personal import lookup_hash
from yiwang.intake.validation import IMPORT_CONTENT_LIMIT, SubmissionInput, validate_submission
from yiwang.lib.tables import ImportReport, Table, read_table
from yiwang.orgs.imports import import_departments, import_halls, import_regions
from yiwang.orgs.models import Department, Region, ServiceHall
from yiwang.publishing.actions import PublicationError, do_approve, do_propose
from yiwang.publishing.models import Publication, PublicationState
from yiwang.taxonomy.imports import do_activate_version, import_taxonomy, import_themes
from yiwang.taxonomy.models import TaxonomyVersion, Theme

PACKAGE = Path(__file__).resolve().parent.parent
ORGS_DATA = PACKAGE / "orgs" / "data"
TAXONOMY_DATA = PACKAGE / "taxonomy" / "data"
DEFAULT_TAXONOMY_NAME = "yiwang-default-40-223"
DEMO_PASSWORD = "yiwang-demo-2026"  # noqa: S105 - printed by script/run for demo logins

# username, roles, department short code, display name
DEMO_STAFF: tuple[tuple[str, tuple[str, ...], str | None, str], ...] = (
    ("clerk", ("desk_clerk",), "浙政办", "王小红 (desk clerk)"),
    ("supervisor", ("desk_supervisor",), "浙政办", "李建国 (desk supervisor)"),
    ("leader", ("leader",), "浙政办", "陈明 (leader)"),
    ("editor", ("editor",), "浙政办", "赵晓 (editor)"),
    ("housing_officer", ("dept_officer",), "杭建", "刘洋 (Hangzhou housing officer)"),
    ("housing_head", ("dept_head",), "杭建", "周伟 (Hangzhou housing head)"),
    ("transport_officer", ("dept_officer",), "杭交", "孙丽 (Hangzhou transport officer)"),
    ("police_officer", ("dept_officer",), "杭公", "郑凯 (Hangzhou public security officer)"),
    ("enforcer", ("enforcement_officer",), "西湖城管", "吴强 (Xihu urban management officer)"),
    (
        "binjiang_enforcer",
        ("enforcement_officer",),
        "滨江城管",
        "钱芳 (Binjiang urban management officer)",
    ),
    ("finance", ("finance_officer",), "浙政办", "冯静 (finance officer, payments)"),
    ("disclosure", ("disclosure_officer",), "浙政办", "何敏 (disclosure officer)"),
    ("disclosure_head", ("disclosure_head",), "浙政办", "蒋涛 (head of the disclosure office)"),
    ("admin", ("administrator",), None, "Administrator"),
)


def _table(path: Path) -> Table:
    return read_table(path.read_bytes(), path.name)


def _checked(report: ImportReport, what: str) -> ImportReport:
    if not report.ok:
        raise RuntimeError(f"{what}: " + "; ".join(str(e) for e in report.errors[:5]))
    return report


def load_reference_data() -> None:
    _checked(import_regions(_table(ORGS_DATA / "demo_regions.csv")), "regions")
    _checked(import_departments(_table(ORGS_DATA / "demo_departments.csv")), "departments")
    _checked(import_halls(_table(ORGS_DATA / "demo_halls.csv")), "halls")
    _checked(import_themes(_table(TAXONOMY_DATA / "themes.csv")), "themes")
    load_default_taxonomy()


def load_default_taxonomy() -> TaxonomyVersion:
    existing = TaxonomyVersion.objects.filter(name=DEFAULT_TAXONOMY_NAME).first()
    if existing is not None:
        return existing
    version, report = import_taxonomy(
        _table(TAXONOMY_DATA / "default_taxonomy.csv"),
        name=DEFAULT_TAXONOMY_NAME,
        source="yiwang default taxonomy (40 major, 223 minor categories)",
    )
    _checked(report, "taxonomy")
    assert version is not None
    if not TaxonomyVersion.objects.filter(is_active=True).exists():
        do_activate_version(version)
    return version


def load_demo_staff() -> list[str]:
    created = []
    for username, roles, department, display in DEMO_STAFF:
        if User.objects.filter(username=username).exists():
            continue
        dept = Department.objects.filter(short_code=department).first() if department else None
        user = do_create_staff(
            username,
            DEMO_PASSWORD,
            roles=list(roles),
            department_id=dept.pk if dept else None,
            display_name=display,
        )
        if "administrator" in roles:
            User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
        created.append(username)
    return created


def already_loaded(token: str) -> bool:
    """Skip a message loaded before: resubmitting it would add a "resubmitted" event."""
    token_hash = lookup_hash("submission-token", token)
    return Message.objects.filter(submission_token_hash=token_hash).exists()


_CHANNELS = (Channel.WEB, Channel.WEB, Channel.WEB, Channel.API, Channel.QR, Channel.HALL)


DEMO_CAMPAIGN = "say-a-word"
CAMPAIGN_DAYS = 30  # the demo campaign began this many days ago and runs as long again


def load_demo_campaign() -> Campaign:
    """A campaign in the manner of 2017's 我向总理说句话, open around today (created once)."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    campaign, created = Campaign.objects.get_or_create(
        slug=DEMO_CAMPAIGN,
        defaults={
            "name_zh": "我向省长说句话（演示）",
            "name_en": "Say a word to the Governor (demo)",
            "intro_zh": "欢迎就政务服务、民生保障和营商环境提出意见建议。"
            "您可以在网上留言，也可以在各地政务服务大厅扫码留言。",
            "intro_en": "Tell us what you think of government services, livelihoods and the "
            "business environment: online, or by scanning the QR code in any service hall.",
            "starts_at": today - dt.timedelta(days=CAMPAIGN_DAYS),
            "ends_at": today + dt.timedelta(days=CAMPAIGN_DAYS),
        },
    )
    if created:
        campaign.themes.set(Theme.objects.order_by("code")[:6])
    return campaign


def load_demo_messages(count: int = 300, seed: int = 2017) -> int:
    """Submit the generated messages through the normal action; returns how many were new.

    Messages by a hall's QR code or at its counter are attributed to a hall of their region
    (or the nearest above it); those and every third web message written while the demo
    campaign is open count towards it."""
    rng = random.Random(seed)
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    places = _Places(load_demo_campaign())
    created = 0
    for index, demo in enumerate(generate_messages(count, seed=seed)):
        result = _submit(demo, index, today, rng.choice(_CHANNELS), seed, places)
        if result is not None:
            created += 1
            advance_demo_state(result, demo, rng)
    return created


def load_demo_publications(count: int = 12) -> int:
    """Publish some replied demo messages whose authors agreed, through the real flow (the
    demo clerk proposes, the demo editor publishes the masker's draft), so the public board
    has something to show; returns how many were published now."""
    clerk, editor = User.objects.get(username="clerk"), User.objects.get(username="editor")
    candidates = Message.objects.filter(
        source="demo", consent_publish=True, reply_approved_at__isnull=False, publication=None
    ).order_by("-reply_approved_at", "pk")
    already = Publication.objects.filter(state=PublicationState.PUBLISHED).count()
    published = 0
    for message in candidates[: count * 2]:
        if already + published >= count:
            break
        try:
            do_approve(editor, do_propose(clerk, message.pk, "示范：答复及时、具体").pk)
        except PublicationError:
            continue  # the masker left something it is sure of: an editor would look first
        published += 1
    return published


class _Places:
    """Where a demo message was written: its hall and campaign."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self._halls: dict[str, ServiceHall | None] = {}

    def hall(self, region_code: str) -> ServiceHall | None:
        if region_code not in self._halls:
            region = Region.objects.filter(code=region_code).first()
            chain = region.ancestors_and_self() if region else []
            found = (ServiceHall.objects.filter(region=r, is_active=True).first() for r in chain)
            self._halls[region_code] = next((h for h in found if h is not None), None)
        return self._halls[region_code]

    def context(self, channel: Channel, index: int, region: str, at: dt.datetime) -> dict[str, Any]:
        in_hall = channel in (Channel.QR, Channel.HALL)
        hall = self.hall(region) if in_hall else None
        counted = (in_hall or (channel == Channel.WEB and index % 3 == 0)) and (
            self.campaign.is_open(at)
        )
        return {"hall": hall, "campaign": self.campaign if counted else None}


def _submit(
    demo: DemoMessage,
    index: int,
    today: dt.datetime,
    channel: Channel,
    seed: int,
    places: _Places,
) -> Message | None:
    token = f"demo-{seed}-{index:05d}"
    if already_loaded(token):
        return None
    at = today - dt.timedelta(days=demo.days_ago) + dt.timedelta(minutes=demo.minutes_into_day)
    at = min(at, timezone.now())
    raw = SubmissionInput(
        title=demo.title,
        content=demo.content,
        nature=demo.nature,
        region=demo.region_code,
        theme=demo.theme_code or "",
        contact_name=demo.contact_name,
        mobile=demo.mobile or "",
        email=demo.email or "",
        consent_publish=demo.consent_publish,
    )
    clean = validate_submission(raw, content_limit=IMPORT_CONTENT_LIMIT)
    context = SubmissionContext(
        channel=channel,
        submission_token=token,
        source="demo",
        submitted_at=at,
        **places.context(channel, index, demo.region_code, at),
    )
    result = do_submit_message(clean, context)
    return result.message if result.created else None
