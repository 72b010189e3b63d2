"""An optional RUM index per kind on PostgreSQL: the newest matches read from the index,
without the heap (search.md, docs/decisions/0037).

Through GIN, the newest ``CANDIDATES`` matches of a common word cost a fetch of every
matching row for its object id (or a walk through the newest rows testing each one's
out-of-line ``tsvector``): up to 1.6 s at a million documents. A RUM index (the ``rum``
extension, Debian's ``postgresql-15-rum``) keeps each document's ``object_id`` beside its
entries, so ``ORDER BY object_id <=| bound LIMIT n`` sorts the matches inside the index. It
still reads and sorts every match (RUM 1.3 returns no match early, with ``order_by_attach``
or without: measured), so it shortens the long tail rather than giving a top-k, and it is
large (3.4 GB for a million documents of ~190 tokens). Hence opt-in:
``manage.py search_indexes``. One partial index per kind: the kinds share the table.

Without the index (or on SQLite) the search keeps the GIN query; both give the same ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

INDEX_PREFIX = "search_document_rum_"
# Kinds go into the index's name and predicate as they are, so they must be plain names.
_KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
# The kinds that have a RUM index, per database alias, looked up once per process (a site
# that adds an index restarts its processes, as after a deployment; ``forget`` for tests).
_INDEXED: dict[str, frozenset[str]] = {}


def index_name(kind: str) -> str:
    if not _KIND_NAME.fullmatch(kind):
        raise ValueError(f"not a kind name: {kind!r}")
    return INDEX_PREFIX + kind


def rum_available(using: BaseDatabaseWrapper = connection) -> bool:
    """Whether this database server offers the extension (installed or not yet)."""
    if using.vendor != "postgresql":
        return False
    with using.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        return cursor.fetchone() is not None


def create_indexes(
    kinds: Iterable[str], using: BaseDatabaseWrapper = connection, *, concurrently: bool = False
) -> list[str]:
    """Create the extension and each missing kind's index when the server has RUM; the names
    of the indexes created. Nothing on SQLite or without RUM, or when the extension may not
    be created here (it needs a superuser): the search then keeps its GIN query.

    ``concurrently`` (outside a transaction only) leaves the table writable meanwhile; else
    writes to ``search_document`` wait for the build (2 minutes at a million documents).
    """
    names = [index_name(kind) for kind in kinds]
    if not rum_available(using) or not _extension(using):
        return []
    valid = {index_name(kind) for kind in _look_up(using)}
    created = [name for name in names if name not in valid]
    how = "CONCURRENTLY " if concurrently else ""
    with using.cursor() as cursor:
        for name in created:
            # An invalid index is what a failed concurrent build leaves: build it again.
            cursor.execute(f"DROP INDEX {how}IF EXISTS {name}")
            cursor.execute(_create_index_sql(name, how))
    _INDEXED.pop(using.alias, None)
    return created


def _extension(using: BaseDatabaseWrapper) -> bool:
    """Whether the extension is there now; a refusal (no superuser) must not end the
    caller's transaction, hence the savepoint."""
    try:
        with transaction.atomic(using=using.alias), using.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    except DatabaseError:
        return False
    return True


def _create_index_sql(name: str, how: str) -> str:
    kind = name.removeprefix(INDEX_PREFIX)  # checked by ``index_name``: [a-z0-9_] only
    # No order_by_attach: RUM 1.3 sorts every match either way (as fast, a smaller index),
    # and that option has had wrong results reported (postgrespro/rum#79).
    return (
        f"CREATE INDEX {how}{name} ON search_document"
        " USING rum (tsv rum_tsvector_addon_ops, object_id)"
        f" WITH (attach = 'object_id', to = 'tsv') WHERE kind = '{kind}'"
    )


def indexed_kinds(using: BaseDatabaseWrapper = connection) -> frozenset[str]:
    """The kinds with a usable RUM index, looked up once per process and database."""
    found = _INDEXED.get(using.alias)
    if found is None:
        found = _INDEXED[using.alias] = _look_up(using)
    return found


def _look_up(using: BaseDatabaseWrapper) -> frozenset[str]:
    if using.vendor != "postgresql":
        return frozenset()
    with using.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'rum' AND i.indisvalid"
            " AND i.indrelid = 'search_document'::regclass"
        )
        names = [name for (name,) in cursor.fetchall()]
    return frozenset(n.removeprefix(INDEX_PREFIX) for n in names if n.startswith(INDEX_PREFIX))


def forget() -> None:
    """Look the indexes up again on the next search (after creating or dropping one)."""
    _INDEXED.clear()


def drop_indexes(kinds: Iterable[str], using: BaseDatabaseWrapper = connection) -> list[str]:
    """Drop the kinds' RUM indexes (the extension stays); the names of those dropped."""
    if using.vendor != "postgresql":
        return []
    dropped = [index_name(kind) for kind in kinds if kind in _look_up(using)]
    with using.cursor() as cursor:
        for name in dropped:
            cursor.execute(f"DROP INDEX {name}")
    _INDEXED.pop(using.alias, None)
    return dropped
