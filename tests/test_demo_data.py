"""`load_demo`: one demo province with staff and messages, loaded again without duplicates."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.applications.models import Application
from yiwang.applications.models import Rating as ServiceRating
from yiwang.casework.models import Assignment, Rating, Rehandling
from yiwang.casework.performance import department_rates
from yiwang.catalogue.models import Implementation, ServiceItem
from yiwang.channels.models import Campaign
from yiwang.demo.loader import (
    DEFAULT_TAXONOMY_NAME,
    DEMO_CAMPAIGN,
    DEMO_PASSWORD,
    DEMO_STAFF,
    ORGS_DATA,
    load_reference_data,
)
from yiwang.demo.management.commands.load_demo import DEMO_IMPLEMENTATIONS
from yiwang.demo.realdata import SOURCE, load_tipdm_messages
from yiwang.disclosure.models import Information
from yiwang.fines.actions import amount_due
from yiwang.fines.models import ParkingCase
from yiwang.intake.models import Channel, Message, MessageEvent, MessageState
from yiwang.lib import pii
from yiwang.lib.tables import read_table
from yiwang.orgs.models import Department, Region, ServiceHall
from yiwang.publishing.actions import BLOCKING_KINDS
from yiwang.publishing.models import ImpactRecord, Publication, PublicationState
from yiwang.taxonomy.models import Category, TaxonomyVersion, Theme

pytestmark = pytest.mark.django_db

TIPDM_MESSAGES = Path("/work/shared/data/tipdm2020/messages_labelled.csv")
DEMO_MESSAGES = 40


def rows_in(name: str) -> int:
    path = ORGS_DATA / name
    return len(read_table(path.read_bytes(), path.name).rows)


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", "--messages", str(DEMO_MESSAGES), "--no-real-data", stdout=out)
    return out.getvalue()


def everything() -> dict[str, int]:
    models = (
        Region,
        Department,
        ServiceHall,
        Theme,
        TaxonomyVersion,
        Category,
        User,
        Message,
        MessageEvent,
        Campaign,
        Publication,
        ImpactRecord,
        ServiceItem,
        Implementation,
        Information,
        Application,
        ServiceRating,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def demo(db: None) -> str:
    return load_demo()


def test_it_loads_the_demo_province_with_its_departments_and_halls(demo: str) -> None:
    assert Region.objects.count() == 18
    assert Region.objects.filter(level="province").get().code == "330000"
    assert Region.objects.filter(level="city").count() == 4
    # The demo catalogue's generator adds implementing bodies (short codes "Y<region>…").
    loaded = Department.objects.exclude(short_code__startswith="Y")
    assert loaded.count() == rows_in("demo_departments.csv")
    assert ServiceHall.objects.count() == rows_in("demo_halls.csv")
    assert 18 <= ServiceHall.objects.count() <= 25
    assert "reference data loaded" in demo


def test_it_loads_the_themes_and_activates_the_default_taxonomy(demo: str) -> None:
    assert Theme.objects.count() == 15
    active = TaxonomyVersion.objects.get(is_active=True)
    assert active.name == DEFAULT_TAXONOMY_NAME
    assert active.categories.filter(depth=1).count() == 40
    assert active.categories.filter(depth=2).count() == 223


def test_every_demo_staff_member_can_sign_in_with_the_demo_password(demo: str) -> None:
    usernames = [username for username, *_rest in DEMO_STAFF]
    assert {"clerk", "supervisor", "housing_officer", "admin"} <= set(usernames)
    for username in usernames:
        assert Client().login(username=username, password=DEMO_PASSWORD), username
        assert f"  {username}" in demo


def test_demo_staff_have_their_roles_and_departments(demo: str) -> None:
    clerk = User.objects.get(username="clerk")
    assert clerk.groups.filter(name="desk_clerk").exists()
    assert clerk.department is not None
    assert clerk.department.short_code == "浙政办"
    officer = User.objects.get(username="housing_officer")
    assert officer.department is not None
    assert officer.department.kind == "housing"
    assert officer.has_perm("accounts.view_department_messages")
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff


def test_it_submits_the_demo_messages_spread_over_states(demo: str) -> None:
    assert Message.objects.count() == DEMO_MESSAGES
    assert f"{DEMO_MESSAGES} new demo messages" in demo
    states = dict(
        Message.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    assert MessageState.NEW in states
    assert len(states) >= 3, states
    assert set(states) <= set(MessageState.values)
    assert Message.objects.filter(source="demo").count() == DEMO_MESSAGES


def test_demo_messages_go_to_a_department_of_their_categorys_kind(demo: str) -> None:
    routed = Message.objects.exclude(lead_department=None).select_related(
        "category__parent", "lead_department", "region"
    )
    assert routed.exists()
    for message in routed:
        assert message.category is not None
        assert message.lead_department is not None
        assert message.category.version.is_active
        assert message.lead_department.kind == message.category.responsible_kind()
        assert message.lead_department.region in message.region.ancestors_and_self()


def test_messages_further_along_have_a_category_and_a_state_history(demo: str) -> None:
    moved = Message.objects.exclude(state=MessageState.NEW)
    assert moved.exists()
    for message in moved:
        assert message.category is not None
        assert message.category.is_leaf
        last = message.events.filter(kind="case_action").order_by("at").last()
        assert last is not None
        assert last.to_state == message.state
        assert message.cleared_at == message.events.filter(kind="case_action").earliest("at").at
    for message in Message.objects.filter(state__in=[MessageState.REPLIED, MessageState.CLOSED]):
        assert message.reply_text
        assert message.replied_at is not None


def test_the_demo_gives_the_supervisor_rates_to_look_at(demo: str) -> None:
    forwarded = Message.objects.exclude(state__in=["new", "triaged"]).exclude(lead_department=None)
    assert Assignment.objects.count() == forwarded.count()
    for rating in Rating.objects.select_related("message"):
        assert rating.message.state == MessageState.CLOSED
        assert rating.department_id == rating.message.lead_department_id
        if rating.round == 2:
            assert Rehandling.objects.filter(message=rating.message).exists()
    months = {a.forwarded_at.date().replace(day=1) for a in Assignment.objects.all()}
    assert any(department_rates(month) for month in months)


def test_the_demo_has_a_campaign_open_today_with_hall_qr_and_web_messages(
    demo: str, client: Client
) -> None:
    campaign = Campaign.objects.get(slug=DEMO_CAMPAIGN)
    assert campaign.is_open(timezone.now())
    assert campaign.themes.exists()
    counted = Message.objects.filter(campaign=campaign)
    channels = set(counted.values_list("channel", flat=True))
    assert {Channel.QR, Channel.WEB} <= channels
    from_halls = Message.objects.filter(channel__in=[Channel.QR, Channel.HALL])
    assert from_halls.exists()
    assert not from_halls.filter(hall=None).exists()  # every hall message names its hall
    assert client.get(f"/campaigns/{campaign.slug}/").status_code == 200


def test_the_demo_board_shows_masked_messages_the_authors_agreed_to_publish(
    demo: str, client: Client
) -> None:
    published = Publication.objects.filter(state=PublicationState.PUBLISHED)
    assert 0 < published.count() <= 12
    assert all(p.message.consent_publish for p in published)
    assert all(p.impact_records.count() == 1 for p in published)
    board = client.get("/board/").content.decode()
    assert all(publication.title in board for publication in published)
    for publication in published:
        assert not {span.kind for span in pii.find(publication.text)} & BLOCKING_KINDS


def test_the_demo_has_a_service_catalogue_with_guides_to_read(demo: str, client: Client) -> None:
    assert Implementation.objects.count() == DEMO_IMPLEMENTATIONS
    code = Implementation.objects.order_by("pk").values_list("code", flat=True).first()
    assert client.get(f"/services/{code}/").status_code == 200


def test_the_demo_gives_the_police_officer_applications_in_every_state(demo: str) -> None:
    officer = User.objects.get(username="police_officer")
    applications = Application.objects.filter(department=officer.department)
    assert set(applications.values_list("state", flat=True)) == {
        "submitted", "accepted", "correction", "completed", "withdrawn"
    }  # fmt: skip
    assert ServiceRating.objects.filter(follow_up__isnull=False).count() == 1  # one bad rating


def test_the_demo_has_parking_fines_of_two_districts_to_pay(demo: str, client: Client) -> None:
    cases = ParkingCase.objects.exclude(decision_number=None)
    assert {case.region.code for case in cases} == {"330106", "330108"}
    assert {"decided", "served"} <= set(cases.values_list("state", flat=True))
    late = max(cases, key=lambda case: amount_due(case).late_fee)
    assert amount_due(late).late_fee > 0
    assert f"demo parking fine {late.decision_number} {late.plate}" in demo
    data = {"decision_number": late.decision_number, "plate": late.plate}
    assert client.post("/fines/", data).status_code == 302


def test_the_demo_publishes_government_information_in_both_languages(
    demo: str, client: Client
) -> None:
    public = Information.objects.filter(state="published")
    assert public.count() == 5
    assert public.exclude(title_en="").count() >= 3
    assert Information.objects.filter(state="in_review").count() == 1
    assert Information.objects.filter(state="filed").count() == 1
    reading = public.get(kind="interpretation")
    assert reading.interprets is not None
    assert "demo government information (/open/)" in demo
    page = client.get("/en/open/").content.decode()
    assert "one-network reform" in page
    assert client.get(f"/open/info/{reading.index_no}/").status_code == 200


def test_loading_the_demo_again_creates_nothing_new(demo: str) -> None:
    before = everything()
    again = load_demo()
    assert everything() == before
    assert "0 new demo messages" in again
    assert "created demo user" not in again


@pytest.mark.realdata
@pytest.mark.skipif(
    not TIPDM_MESSAGES.exists(), reason=f"the TipDM 2020 messages are not at {TIPDM_MESSAGES}"
)
def test_real_messages_are_filed_under_partial_major_categories_once(tmp_path: Path) -> None:
    load_reference_data()
    sample = tmp_path / "messages_labelled.csv"
    with TIPDM_MESSAGES.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source))[:201]  # the header and the first 200 messages
    with sample.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows(rows)

    report = load_tipdm_messages(sample)
    assert report.created + report.skipped + len(report.errors) == 200
    assert report.created >= 180, report.errors[:5]
    assert report.skipped == 0
    real = Message.objects.filter(source=SOURCE)
    assert real.count() == report.created
    for message in real.select_related("category", "lead_department"):
        assert message.category is not None
        assert message.category.depth == 1
        assert message.category.version.is_active
        assert message.category_is_partial
        assert message.state == MessageState.TRIAGED
        if message.lead_department is not None:
            assert message.lead_department.kind == message.category.responsible_kind()

    before = everything()
    second = load_tipdm_messages(sample)
    assert (second.created, second.skipped) == (0, report.created)
    assert everything() == before
