"""The search index: one row per indexed document (a message now; services, disclosure later).

The full-text structures live beside this table and are made by migration 0002: an FTS5
table kept in step by triggers on SQLite, a generated ``tsvector`` column with GIN indexes on
PostgreSQL. Any later migration that rebuilds this table on SQLite must recreate the triggers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    kind = models.CharField(_("kind"), max_length=32)
    object_id = models.BigIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=200)
    # The stored tokens separated by single spaces: what the index holds and what ranking reads.
    tokens = models.TextField(_("tokens"))
    length = models.PositiveIntegerField(_("number of tokens"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_one_per_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class TermStatistic(models.Model):
    """How many documents of a kind hold a term, as of the last refresh (for ranking)."""

    kind = models.CharField(_("kind"), max_length=32)
    term = models.CharField(_("term"), max_length=64)
    documents = models.PositiveIntegerField(_("documents"))

    class Meta:
        verbose_name = _("term statistic")
        verbose_name_plural = _("term statistics")
        constraints = [models.UniqueConstraint(fields=["kind", "term"], name="search_term_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.term}: {self.documents}"


class CorpusStatistic(models.Model):
    """How many documents of a kind there were when its term statistics were refreshed."""

    kind = models.CharField(_("kind"), max_length=32, unique=True)
    documents = models.PositiveIntegerField(_("documents"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("corpus statistic")
        verbose_name_plural = _("corpus statistics")

    def __str__(self) -> str:
        return f"{self.kind}: {self.documents}"
