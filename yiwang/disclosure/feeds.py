"""RSS 2.0 and Atom feeds of newly published information, one per Art. 20 category (or all)."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape
from django.utils.translation import gettext as _

from yiwang.disclosure import queries
from yiwang.disclosure.models import Category, Information

FEED_SIZE = 50


class CategoryRssFeed(Feed[Information, str]):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> str:
        category = str(kwargs.get("category", ""))
        if category and category not in Category.values:
            raise Http404
        return category

    def title(self, obj: str) -> str:
        if not obj:
            return _("Government information · yiwang")
        return _("%(category)s · government information · yiwang") % {
            "category": Category(obj).label
        }

    def description(self, obj: str) -> str:
        return _("Newly published government information, newest first.")

    def link(self, obj: str) -> str:
        return reverse("disclosure:catalogue") + (f"?category={obj}" if obj else "")

    def items(self, obj: str) -> list[Information]:
        return list(queries.catalogue(queries.Filters(category=obj))[:FEED_SIZE])

    def item_title(self, item: Information) -> str:
        return escape(item.title)  # RSS readers read a title as HTML

    def item_description(self, item: Information) -> str:
        return str(linebreaks_filter(item.summary or item.text[:500]))

    def item_link(self, item: Information) -> str:
        return reverse("disclosure:information", args=[item.index_no])

    def item_guid(self, item: Information) -> str:
        return item.index_no

    item_guid_is_permalink = False

    def item_pubdate(self, item: Information) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Information) -> dt.datetime | None:
        return item.updated_at


class CategoryAtomFeed(CategoryRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: str) -> str:
        return self.description(obj)

    def item_title(self, item: Information) -> str:
        return item.title  # an Atom title is plain text
