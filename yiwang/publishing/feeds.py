"""RSS 2.0 and Atom feeds of the newest published messages, filtered like the board.

Items carry only the publication's public title, text and reply, and the board's link.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _

from yiwang.publishing.models import Publication
from yiwang.publishing.queries import FEED_SIZE, FILTERS, BoardFilter, board_publications


class BoardRssFeed(Feed[Publication, BoardFilter]):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> BoardFilter:
        chosen = BoardFilter.from_params(request.GET)
        return BoardFilter(**{name: getattr(chosen, name) for name in FILTERS})  # no search

    def title(self, obj: BoardFilter) -> str:
        return _("Published messages · yiwang")

    def description(self, obj: BoardFilter) -> str:
        return _("Selected citizens' messages and the departments' replies, personal data removed.")

    def link(self, obj: BoardFilter) -> str:
        query = obj.query_string()
        return reverse("board:list") + (f"?{query}" if query else "")

    def author_name(self) -> str:
        return _("yiwang")

    def items(self, obj: BoardFilter) -> list[Publication]:
        return list(board_publications(obj)[:FEED_SIZE])

    def item_title(self, item: Publication) -> str:
        return escape(item.title)  # RSS readers read a title as HTML

    def item_description(self, item: Publication) -> str:
        return format_html(
            "{}<h3>{}</h3>{}",
            linebreaks_filter(item.text),  # escaped, then paragraphs
            _("The reply"),
            linebreaks_filter(item.reply),
        )

    def item_link(self, item: Publication) -> str:
        return reverse("board:detail", args=[item.pk])

    def item_pubdate(self, item: Publication) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Publication) -> dt.datetime | None:
        return item.published_at


class BoardAtomFeed(BoardRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: BoardFilter) -> str:
        return self.description(obj)

    def item_title(self, item: Publication) -> str:
        return item.title  # an Atom title is plain text
