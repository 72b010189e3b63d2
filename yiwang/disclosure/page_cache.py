"""Every information's public page, rendered when the information changes and kept in the
database (``PublishedPage``), so that anonymous readers are served without rendering: by
``front.py`` before Django's middleware, or by the view (decision 0038). This is how
government sites publish (静态发布), with the database in place of a directory of files.

**One page, one function.** ``compose`` makes the page an anonymous reader gets: the site's
frame (``base.html`` rendered once per process and language for a reader who is nobody, with
marks where the title, the page's own address and the content go) around the information's
own part (``_information.html``). Signed-in staff get ``information.html``: the same part in
their own navigation. The page holds no one's data; a placeholder stands where the language
form's CSRF token goes, and every reader gets their own token (``respond``).

**Which requests** (``cacheable``): GET, no query string, no session cookie (so nobody signed
in and no flash messages kept in the session), no flash-message cookie.

**When pages change.** An action that changes what a page shows calls ``renew`` in its own
transaction. The pages of the information and of those that show it (the document it
interprets, its interpretations) are deleted there, so from the commit on they are rendered
for each reader, and ``render_pages`` is enqueued after the commit. It renders each page again
holding its information's row lock, which every change of the information holds too: a render
reads a change either completely or not at all, and every change enqueues a render of its
own, so the last render reads the last change.

**Versions.** A kept page records the version it was rendered with (``version``): a digest of
both frames, the part's template, the part rendered for a specimen in each language and the
secret key's placeholder. A new release that changes any of them
has a new version; pages of an older one are not served (the view renders them for each
reader) until ``do_refresh_pages`` (a job every ten minutes) has rendered them again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape

from yiwang.disclosure.models import (
    Attachment,
    AttachmentKind,
    Category,
    InfoKind,
    Information,
    InfoState,
    OpennessType,
    PublishedPage,
)
from yiwang.disclosure.queries import PAGE_RELATED
from yiwang.lib.batches import batched
from yiwang.orgs.models import Department

VERSION = 2  # bump for a change the digest cannot see (say, a new context variable)
SHOWN = (InfoState.PUBLISHED, InfoState.WITHDRAWN)  # the states that have a public page
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name
# Stands in for the CSRF token in kept pages, never seen by readers. The same in every server
# process, and not guessable from outside: derived from the site's secret key.
CSRF_PLACEHOLDER = (
    "csrf" + hashlib.sha256(f"page-csrf:{settings.SECRET_KEY}".encode()).hexdigest()[:32]
)
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
DEFAULT_LANGUAGE = LANGUAGES[0]
# Index numbers as actions.INDEX_NO allows them: anything else has no page.
INDEX_NO_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-/")
# Where the frame is cut; ASCII, so that neither escaping nor URL quoting changes them.
_TITLE = "yiwang-frame-title-6c1d"
_PATH = "/yiwang-frame-path-6c1d/"
_CONTENT = "yiwang-frame-content-6c1d"
REFRESH_BATCH = 500
TOPIC_ITEMS = 200  # a topic's page lists its newest items; the catalogue finds the others
# What a page shows of the information it lists (interpretations, a topic's items).
LINKED_FIELDS = ("index_no", "title", "title_en", "interprets_id", "topic_id", "published_at")
REFRESH_SECONDS = 8 * 60  # a refresh stops in time for the next one (every ten minutes)


def cacheable(request: HttpRequest, index_no: str) -> bool:
    """Whether this request may be answered with the kept page (see the module)."""
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
        and 6 <= len(index_no) <= 32
        and INDEX_NO_CHARS.issuperset(index_no)
    )


@dataclass(frozen=True)
class Beside:
    """What an information's page shows besides the information itself."""

    interpretations: list[Information] = field(default_factory=list)  # published
    files: list[Attachment] = field(default_factory=list)
    items: list[Information] = field(default_factory=list)  # a topic's, newest first


# --- Making the page -----------------------------------------------------------------------


def _nobody() -> HttpRequest:
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = _PATH
    request.user = AnonymousUser()
    return request


@functools.cache
def _frame(language: str) -> tuple[str, str, str, str]:
    """The frame of ``language`` cut at its three marks (each must be there exactly once)."""
    with translation.override(language):
        context = {"title_mark": _TITLE, "content_mark": _CONTENT, "csrf_token": CSRF_PLACEHOLDER}
        html = render_to_string("disclosure/_frame.html", context, _nobody())
    counts = [html.count(mark) for mark in (_TITLE, _PATH, _CONTENT)]
    if counts != [1, 1, 1]:
        raise ImproperlyConfigured(f"the page frame holds its marks {counts} times, not once")
    before_title, rest = html.split(_TITLE)
    before_path, rest = rest.split(_PATH)
    before_content, after = rest.split(_CONTENT)
    return before_title, before_path, before_content, after


@functools.cache
def version() -> str:
    """The digest of what a page is made with: the frames, the part's template, the part
    rendered in each language for a specimen that shows every label (so a changed
    translation of the part counts, and a change elsewhere in the catalogue does not), the
    choices' labels, and the CSRF placeholder (it follows the secret key: pages kept under
    another key would show it as the token)."""
    digest = hashlib.sha256(f"{VERSION}:{CSRF_PLACEHOLDER}".encode())
    source = get_template("disclosure/_information.html").template.source  # type: ignore[attr-defined]
    digest.update(source.encode())
    for language in LANGUAGES:
        digest.update("".join(_frame(language)).encode())
        for specimen in _specimens():
            digest.update(compose(specimen, language, _SPECIMEN_BESIDE)[1].encode())
        with translation.override(language):
            labels = [*Category.labels, *OpennessType.labels, *AttachmentKind.labels]
            digest.update("|".join(str(label) for label in labels).encode())
    return digest.hexdigest()[:16]


def _specimens() -> list[Information]:
    """An information showing every part of the page, published and withdrawn (not saved)."""
    day = dt.date(2019, 5, 15)  # the regulations took effect
    linked = Information(index_no="SPECIMEN-2", title="t", title_en="t", state=InfoState.PUBLISHED)
    fields: dict[str, object] = {
        "index_no": "SPECIMEN-1",
        "body": Department(name_zh="b", name_en="b"),
        "kind": InfoKind.POLICY,
        "category": Category.choices[0][0],
        "openness": OpennessType.choices[0][0],
        "doc_number": "n",
        "title": "t",
        "summary": "s",
        "text": "t",
        "title_en": "t",
        "summary_en": "s",
        "text_en": "t",
        "interprets": linked,
        "topic": linked,
        "generated_on": day,
        "changed_on": day,
        "valid_until": day,
        "repealed_on": day,
        "published_at": dt.datetime(2019, 5, 15, tzinfo=dt.UTC),
        "updated_at": dt.datetime(2019, 5, 15, tzinfo=dt.UTC),
        "revision": 2,
        "withdrawn_reason": "r",
    }
    return [Information(**fields, state=state) for state in SHOWN]


_SPECIMEN_BESIDE = Beside(
    interpretations=[Information(index_no="SPECIMEN-3", title="t", title_en="t")],
    files=[
        Attachment(pk=1, kind=kind, name="f", size=1, caption="c", caption_en="c")
        for kind, _label in AttachmentKind.choices
    ],
    items=[
        Information(
            index_no="SPECIMEN-4",
            title="t",
            title_en="t",
            published_at=dt.datetime(2019, 5, 15, tzinfo=dt.UTC),
        )
    ],
)


def languages_of(information: Information) -> tuple[str, ...]:
    """The languages whose page is kept: Chinese, and English when there is an English
    version (the English channel lists only those; other English pages are rendered)."""
    return LANGUAGES if information.has_english else (DEFAULT_LANGUAGE,)


def context_of(information: Information, language: str, beside: Beside) -> dict[str, object]:
    """The context of the information's own part (``_information.html``), in both pages."""
    topic = information.topic
    return {
        "info": information,
        "withdrawn": information.state == InfoState.WITHDRAWN,
        "english": language == "en" and information.has_english,
        "interpretations": beside.interpretations,
        "files": beside.files,
        "items": beside.items,
        "topic": topic if topic is not None and topic.state == InfoState.PUBLISHED else None,
        # From the choices themselves: ``get_category_display`` cost a fifth of a page.
        "category": Category(information.category).label,
        "openness": OpennessType(information.openness).label,
    }


def compose(information: Information, language: str, beside: Beside) -> tuple[int, str]:
    """The status and page of an information for an anonymous reader, with the CSRF
    placeholder. ``information`` comes with its body, the document it interprets and its
    topic (``queries.PAGE_RELATED``)."""
    context = context_of(information, language, beside)
    with translation.override(language):
        content = render_to_string("disclosure/_information.html", context)
        path = reverse("disclosure:information", args=[information.index_no])
    before_title, before_path, before_content, after = _frame(language)
    title = conditional_escape(information.title_en if context["english"] else information.title)
    page = before_title + title + before_path + path + before_content + content + after
    return (410 if context["withdrawn"] else 200), page


def respond(request: HttpRequest, status: int, html: str) -> HttpResponse:
    """The page with the reader's own CSRF token (``get_token`` also sets their cookie)."""
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)), status=status)


# --- Reading kept pages --------------------------------------------------------------------

_KEPT_SQL = (
    f"SELECT status, html FROM {PublishedPage._meta.db_table} "  # noqa: S608 (a constant)
    "WHERE index_no = %s AND language = %s AND version = %s"
)


def kept(language: str, index_no: str) -> tuple[int, str] | None:
    """The kept page of this version, if there is one: one indexed statement."""
    with connection.cursor() as cursor:
        cursor.execute(_KEPT_SQL, [index_no, language, version()])
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


# --- Writing kept pages (every write is here) ----------------------------------------------


def shown_beside(informations: Sequence[Information]) -> dict[int, Beside]:
    """What each information's page shows besides it: four queries for any number."""
    ids = [information.pk for information in informations]
    beside = {pk: Beside() for pk in ids}
    published = Information.objects.filter(state=InfoState.PUBLISHED).only(*LINKED_FIELDS)
    newest = [F("published_at").desc(), F("pk").desc()]
    # A topic's newest items only, however many it holds: numbered per topic in the query.
    rank = Window(RowNumber(), partition_by=[F("topic_id")], order_by=newest)
    items = published.filter(topic_id__in=ids).annotate(rank=rank).filter(rank__lte=TOPIC_ITEMS)
    for item in items.order_by(*newest):
        beside[item.topic_id].items.append(item)  # type: ignore[index]
    for interpretation in published.filter(interprets_id__in=ids).order_by(*newest):
        beside[interpretation.interprets_id].interpretations.append(interpretation)  # type: ignore[index]
    for attachment in Attachment.objects.filter(information_id__in=ids).order_by("pk"):
        beside[attachment.information_id].files.append(attachment)
    return beside


def shown_with(information: Information) -> Beside:
    """What the page of one information shows besides it."""
    return shown_beside([information])[information.pk]


def pages_of(informations: Sequence[Information], now: dt.datetime) -> list[PublishedPage]:
    """The pages to keep for these informations (with their bodies and the documents they
    interpret), rendered now; none for an information that has no public page."""
    shown = [information for information in informations if information.state in SHOWN]
    beside = shown_beside(shown)
    pages = []
    for information in shown:
        for language in languages_of(information):
            status, html = compose(information, language, beside[information.pk])
            page = PublishedPage(
                information=information,
                index_no=information.index_no,
                language=language,
                status=status,
                html=html,
                version=version(),
                rendered_at=now,
            )
            pages.append(page)
    return pages


def do_render_pages(index_numbers: Iterable[str], batch_size: int = REFRESH_BATCH) -> int:
    """Render the pages of these informations again and keep them, a batch per transaction;
    drop the pages of a number without a public information. Returns the pages kept."""
    kept_count = 0
    for batch in batched(sorted(set(index_numbers)), batch_size):
        with transaction.atomic():
            # The row locks every change of an information takes: a render reads a change
            # completely or not at all (see the module).
            rows = Information.objects.select_for_update(of=("self",)).filter(index_no__in=batch)
            informations = list(rows.select_related(*PAGE_RELATED).order_by("pk"))
            pages = pages_of(informations, timezone.now())
            PublishedPage.objects.filter(index_no__in=batch).delete()
            PublishedPage.objects.bulk_create(pages)
            kept_count += len(pages)
    return kept_count


def renew(information: Information, also: Iterable[int | None] = ()) -> None:
    """In the writer's transaction: forget the pages that show ``information`` (its own,
    the document it interprets and its topic, which list it; its interpretations and, for a
    topic, its items, which show its title; ``also``: the pages that listed it before a
    revision) and render them again after the commit (see the module)."""
    listing = {information.interprets_id, information.topic_id, *also} - {None}
    related = Information.objects.filter(
        Q(pk__in=listing) | Q(interprets_id=information.pk) | Q(topic_id=information.pk)
    ).values_list("index_no", flat=True)
    numbers = sorted({information.index_no, *related})
    PublishedPage.objects.filter(index_no__in=numbers).delete()
    from yiwang.disclosure.tasks import render_pages  # the tasks module imports the actions

    transaction.on_commit(functools.partial(render_pages.enqueue, numbers))


def _cursor_key() -> str:
    return f"disclosure:pages:refreshed-below:{version()}"


def do_refresh_pages(seconds: float = REFRESH_SECONDS) -> int:
    """Render the pages that are missing or of an older version, newest information first,
    for at most ``seconds``; where it stopped is remembered (per version) for the next run,
    and once every information has been seen, runs do nothing until a new version. Returns
    how many informations' pages were rendered."""
    stop_at = time.monotonic() + seconds
    below = cache.get(_cursor_key())
    if below == 0:
        return 0
    done = 0
    while time.monotonic() < stop_at:
        shown = Information.objects.filter(state__in=SHOWN).order_by("-pk")
        if below is not None:
            shown = shown.filter(pk__lt=below)
        fields = ("pk", "index_no", "title_en", "text_en", "text")
        batch = list(shown.values_list(*fields)[:REFRESH_BATCH])
        if not batch:
            below = 0
            break
        current = set(
            PublishedPage.objects.filter(
                information_id__in=[row[0] for row in batch], version=version()
            ).values_list("information_id", "language")
        )
        stale = [
            number
            for pk, number, *texts in batch
            if any((pk, language) not in current for language in _languages(*texts))
        ]
        do_render_pages(stale)
        done += len(stale)
        below = batch[-1][0]
    cache.set(_cursor_key(), below, None)
    return done


def _languages(title_en: str, text_en: str, text: str) -> tuple[str, ...]:
    return languages_of(Information(title_en=title_en, text_en=text_en, text=text))
