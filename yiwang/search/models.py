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
