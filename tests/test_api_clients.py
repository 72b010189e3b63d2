"""API keys: shown once, stored as a hash, scoped, limited per client and revocable.

Personas: the ``hotline`` (the 12345 hotline system) submits messages on citizens' behalf; the
``housing_app`` reads the housing bureau's messages.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.test.utils import override_settings

from yiwang.accounts.actions import do_create_staff, do_sync_roles
from yiwang.accounts.apikeys import (
    UnknownScope,
    authenticate_key,
    do_issue_api_client,
    do_revoke_api_client,
)
from yiwang.accounts.models import ApiClient
from yiwang.intake.models import Channel, Message
from yiwang.orgs.models import Department, Region

pytestmark = pytest.mark.django_db

URL = "/api/v1/messages"
KEY_SHAPE = re.compile(r"yw_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")


def payload(n: int = 0) -> dict[str, Any]:
    return {
        "title": f"热线转来的留言{n}",
        "content": f"第{n}条：市民来电反映小区门口的路灯坏了很久，晚上出行不安全。",
        "nature": "help",
        "region": "330106",
        "mobile": f"1390013{n:04d}",
    }


def submit_as(client: Client, authorization: str | None, n: int = 0) -> Any:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return client.post(
        URL, json.dumps(payload(n)), content_type="application/json", headers=headers
    )


def bearer(key: str) -> str:
    return f"Bearer {key}"


@pytest.fixture
def hotline() -> tuple[ApiClient, str]:
    return do_issue_api_client("12345 hotline", ["messages:submit"])


# --- issuing ------------------------------------------------------------------------------------


def test_issuing_a_client_returns_a_key_of_prefix_and_secret(
    hotline: tuple[ApiClient, str],
) -> None:
    client, key = hotline
    match = KEY_SHAPE.fullmatch(key)
    assert match is not None
    assert match.group(1) == client.key_prefix
    assert client.scopes == ["messages:submit"]
    assert client.rate_limit_per_minute == 600
    assert client.is_active


def test_only_the_sha256_of_the_secret_is_stored(hotline: tuple[ApiClient, str]) -> None:
    client, key = hotline
    secret = key.split("_", 2)[2]
    row = ApiClient.objects.filter(pk=client.pk).values().get()
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    for column, value in row.items():
        assert key not in str(value), column
        assert secret not in str(value), column


def test_two_clients_get_different_keys() -> None:
    first, first_key = do_issue_api_client("one", ["messages:submit"])
    second, second_key = do_issue_api_client("two", ["messages:submit"])
    assert first_key != second_key
    assert first.key_prefix != second.key_prefix


def test_scopes_are_stored_once_and_sorted(departments: dict[str, Department]) -> None:
    client, _key = do_issue_api_client(
        "both",
        ["messages:submit", "messages:read", "messages:submit"],
        department_id=departments["housing"].pk,
    )
    assert client.scopes == ["messages:read", "messages:submit"]


def test_an_unknown_scope_is_refused_and_nothing_is_created() -> None:
    with pytest.raises(UnknownScope, match="messages:delete"):
        do_issue_api_client("greedy", ["messages:submit", "messages:delete"])
    assert not ApiClient.objects.exists()


def test_a_read_scope_without_a_department_is_refused() -> None:
    with pytest.raises(ValueError, match="department"):
        do_issue_api_client("reader", ["messages:read"])
    assert not ApiClient.objects.exists()


def test_a_key_authenticates_its_client_and_a_wrong_secret_does_not(
    hotline: tuple[ApiClient, str],
) -> None:
    client, key = hotline
    assert authenticate_key(key) == client
    assert authenticate_key(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert authenticate_key(f"yw_{client.key_prefix}_") is None
    assert authenticate_key("") is None


def test_using_a_key_records_when_it_was_last_used(
    hotline: tuple[ApiClient, str], django_capture_on_commit_callbacks: Any
) -> None:
    client, key = hotline
    with django_capture_on_commit_callbacks(execute=True):
        authenticate_key(key)
    client.refresh_from_db()
    assert client.last_used_at is not None


# --- the management command ---------------------------------------------------------------------


def create_api_client(*args: str) -> str:
    out = io.StringIO()
    call_command("create_api_client", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_key_exactly_once() -> None:
    output = create_api_client("12345 hotline", "--scope", "messages:submit", "--per-minute", "60")
    keys = KEY_SHAPE.findall(output)
    assert len(keys) == 1
    key = "yw_{}_{}".format(*keys[0])
    assert output.count(key) == 1
    client = ApiClient.objects.get(name="12345 hotline")
    assert authenticate_key(key) == client
    assert (client.scopes, client.rate_limit_per_minute) == (["messages:submit"], 60)


def test_the_command_gives_a_reader_its_department(departments: dict[str, Department]) -> None:
    create_api_client("housing app", "--scope", "messages:read", "--department", "杭建")
    assert ApiClient.objects.get(name="housing app").department == departments["housing"]


def test_the_command_refuses_an_unknown_scope() -> None:
    with pytest.raises(CommandError, match="messages:delete"):
        create_api_client("greedy", "--scope", "messages:delete")
    assert not ApiClient.objects.exists()


def test_the_command_refuses_an_unknown_department(departments: dict[str, Department]) -> None:
    with pytest.raises(CommandError, match="short code"):
        create_api_client("lost", "--scope", "messages:read", "--department", "不存在")
    assert not ApiClient.objects.exists()


def test_the_command_refuses_a_reader_without_a_department() -> None:
    with pytest.raises(CommandError, match="department"):
        create_api_client("reader", "--scope", "messages:read")
    assert not ApiClient.objects.exists()


# --- submitting with a key ----------------------------------------------------------------------


def test_a_client_submits_through_the_api_channel_under_its_own_name(
    client: Client, regions: dict[str, Region], hotline: tuple[ApiClient, str]
) -> None:
    api_client, key = hotline
    response = submit_as(client, bearer(key))
    assert response.status_code == 201
    message = Message.objects.get(tracking_number=response.json()["tracking_number"])
    assert message.channel == Channel.API
    assert message.source == "12345 hotline"
    assert message.api_client == api_client


def test_a_citizen_without_a_key_submits_with_no_source(
    client: Client, regions: dict[str, Region]
) -> None:
    response = submit_as(client, None)
    assert response.status_code == 201
    message = Message.objects.get()
    assert (message.channel, message.source, message.api_client) == (Channel.API, "", None)


def test_a_client_is_held_to_its_own_per_minute_limit(
    client: Client, regions: dict[str, Region]
) -> None:
    _api_client, key = do_issue_api_client("slow", ["messages:submit"], rate_limit_per_minute=1)
    assert submit_as(client, bearer(key), 1).status_code == 201
    second = submit_as(client, bearer(key), 2)
    assert second.status_code == 429
    assert second.json()["code"] == "rate_limited"
    assert second.json()["scope"] == "api-client"
    assert Message.objects.count() == 1


def test_one_clients_limit_does_not_hold_back_another(
    client: Client, regions: dict[str, Region], hotline: tuple[ApiClient, str]
) -> None:
    _slow, slow_key = do_issue_api_client("slow", ["messages:submit"], rate_limit_per_minute=1)
    assert submit_as(client, bearer(slow_key), 1).status_code == 201
    assert submit_as(client, bearer(slow_key), 2).status_code == 429
    assert submit_as(client, bearer(hotline[1]), 3).status_code == 201


@override_settings(YIWANG_RATE_SUBMIT_PER_IP="2/h")
def test_a_client_is_not_subject_to_the_per_ip_limit(
    client: Client, regions: dict[str, Region], hotline: tuple[ApiClient, str]
) -> None:
    for n in range(5):
        assert submit_as(client, bearer(hotline[1]), n).status_code == 201
    assert Message.objects.count() == 5


@override_settings(YIWANG_RATE_SUBMIT_PER_IP="2/h")
def test_citizens_without_a_key_are_subject_to_the_per_ip_limit(
    client: Client, regions: dict[str, Region]
) -> None:
    assert submit_as(client, None, 1).status_code == 201
    assert submit_as(client, None, 2).status_code == 201
    third = submit_as(client, None, 3)
    assert third.status_code == 429
    assert third.json()["scope"] == "submit-ip"


def test_a_revoked_key_is_refused_as_invalid(
    client: Client, regions: dict[str, Region], hotline: tuple[ApiClient, str]
) -> None:
    api_client, key = hotline
    do_revoke_api_client(api_client)
    response = submit_as(client, bearer(key))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"
    assert not Message.objects.exists()


def test_a_key_without_the_submit_scope_is_refused(
    client: Client, regions: dict[str, Region], departments: dict[str, Department]
) -> None:
    _reader, key = do_issue_api_client(
        "housing app", ["messages:read"], department_id=departments["housing"].pk
    )
    response = submit_as(client, bearer(key))
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-key",
        "Bearer yw_only-two-parts",
        "Bearer zz_abcdef01_secret",
        "Token {key}",
        "Basic {key}",
        "{key}",
        "Bearer {key}x",
    ],
)
def test_a_malformed_authorization_header_is_refused_as_invalid(
    authorization: str,
    client: Client,
    regions: dict[str, Region],
    hotline: tuple[ApiClient, str],
) -> None:
    response = submit_as(client, authorization.format(key=hotline[1]))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"
    assert not Message.objects.exists()


def test_the_command_refuses_a_name_already_taken(hotline: tuple[ApiClient, str]) -> None:
    with pytest.raises(CommandError, match="exists already"):
        create_api_client("12345 hotline", "--scope", "messages:submit")
    assert ApiClient.objects.count() == 1


@pytest.mark.parametrize("per_minute", ["0", "-5", "many"])
def test_the_command_refuses_a_limit_that_is_not_a_positive_number(per_minute: str) -> None:
    with pytest.raises(CommandError, match="per-minute"):
        create_api_client("odd", "--scope", "messages:submit", "--per-minute", per_minute)
    assert not ApiClient.objects.exists()


def test_the_command_refuses_a_client_without_any_scope() -> None:
    with pytest.raises(CommandError, match="--scope"):
        create_api_client("idle")
    assert not ApiClient.objects.exists()


def test_an_administrator_revokes_a_key_in_the_admin(
    hotline: tuple[ApiClient, str], departments: dict[str, Department]
) -> None:
    do_sync_roles()
    admin_user = do_create_staff("admin1", "a-long-password-2026", roles=["administrator"])
    browser = Client()
    browser.force_login(admin_user)
    client, key = hotline
    response = browser.post(
        "/admin/accounts/apiclient/", {"action": "revoke", "_selected_action": [str(client.pk)]}
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert submit_as(Client(), bearer(key)).status_code == 401
