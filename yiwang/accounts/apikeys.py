"""API keys: issued once, stored as a hash, scoped, rate-limited and revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import ApiClient, User

KEY_PREFIX = "yw"
SCOPES = {
    "messages:submit": "Submit messages on behalf of citizens",
    "messages:read": "Read and search the messages of the client's department",
    "open311": "Submit and read service requests through Open311 GeoReport v2",
    "payments": "Create, read, cancel and refund the client's own payments",
}


# Scopes that read messages see only one department's: without one, the key would see nothing.
DEPARTMENT_SCOPES = frozenset({"messages:read"})


class UnknownScope(ValueError):
    pass


class MissingDepartment(ValueError):
    pass


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise UnknownScope(f"Unknown scopes: {', '.join(unknown)}")
    return chosen


def check_client_scopes(scopes: Iterable[str], department_id: int | None) -> list[str]:
    """The known scopes, sorted; a scope that reads messages needs the client's department."""
    chosen = check_scopes(scopes)
    needing = [s for s in chosen if s in DEPARTMENT_SCOPES]
    if needing and department_id is None:
        raise MissingDepartment(f"Scopes {', '.join(needing)} need a department.")
    return chosen


def do_issue_api_client(
    name: str,
    scopes: Iterable[str],
    *,
    created_by: User | None = None,
    rate_limit_per_minute: int = 600,
    department_id: int | None = None,
) -> tuple[ApiClient, str]:
    """Create a client and return it with its key, which is never shown again."""
    chosen = check_client_scopes(scopes, department_id)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name,
        key_prefix=prefix,
        key_hash=_digest(secret),
        scopes=chosen,
        created_by=created_by,
        rate_limit_per_minute=rate_limit_per_minute,
        department_id=department_id,
    )
    return client, f"{KEY_PREFIX}_{prefix}_{secret}"


def do_revoke_api_client(client: ApiClient) -> None:
    ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def authenticate_key(raw_key: str) -> ApiClient | None:
    """The active client a key belongs to, else None (same time whether prefix exists or not)."""
    parts = raw_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    client = ApiClient.objects.filter(key_prefix=parts[1], revoked_at__isnull=True).first()
    expected = client.key_hash if client else _digest("no-such-client")
    if not hmac.compare_digest(expected, _digest(parts[2])) or client is None:
        return None
    _touch(client)
    return client


def _touch(client: ApiClient) -> None:
    """Record use at most once a minute, so authentication does not write on every call."""
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        transaction.on_commit(
            lambda: ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        )
