"""Settings fail loudly on bad values, and production refuses to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from yiwang.envconf import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent
GOOD_PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "s" * 50,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "YIWANG_PII_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "YIWANG_HASH_KEY": "h" * 40,
    "YIWANG_QUERY_CODE_KEY": "q" * 40,
    "ALLOWED_HOSTS": "yiwang.example.cn",
}


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("YIWANG_", "DATABASE"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "yiwang.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True
    )


def test_a_boolean_that_is_not_one_says_which_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YW_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="YW_FLAG"):
        env_bool("YW_FLAG", False)


def test_a_number_below_its_minimum_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YW_COUNT", "-3")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env_int("YW_COUNT", 1, minimum=0)
    monkeypatch.setenv("YW_COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("YW_COUNT", 1)


def test_a_secret_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("YW_SECRET_FILE", str(secret))
    assert env_str("YW_SECRET") == "from-a-file"


def test_an_unreadable_secret_file_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YW_SECRET_FILE", "/nonexistent/secret")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_str("YW_SECRET")


def test_a_missing_required_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YW_NEEDED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="YW_NEEDED"):
        env_str("YW_NEEDED")


def test_lists_split_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YW_HOSTS", "a.example, b.example,,")
    assert env_list("YW_HOSTS", []) == ["a.example", "b.example"]


def test_production_starts_with_every_secret_given() -> None:
    result = load_settings(GOOD_PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("DATABASE_URL", "DATABASE_URL"),
        ("REDIS_URL", "REDIS_URL"),
        ("YIWANG_PII_KEYS", "YIWANG_PII_KEYS"),
        ("YIWANG_HASH_KEY", "YIWANG_HASH_KEY"),
    ],
)
def test_production_refuses_to_start_without_a_secret(missing: str, named: str) -> None:
    env = {k: v for k, v in GOOD_PRODUCTION.items() if k != missing}
    result = load_settings(env)
    assert result.returncode != 0
    assert named in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = load_settings({**GOOD_PRODUCTION, "SECRET_KEY": "short"})
    assert "at least 40 characters" in result.stderr


def test_production_refuses_a_malformed_key_ring() -> None:
    result = load_settings({**GOOD_PRODUCTION, "YIWANG_PII_KEYS": "k1:not-base64!"})
    assert result.returncode != 0
    assert "YIWANG_PII_KEYS" in result.stderr


def test_a_malformed_clearance_cut_off_is_refused() -> None:
    result = load_settings({**GOOD_PRODUCTION, "YIWANG_CLEARANCE_CUTOFF": "10pm"})
    assert result.returncode != 0
    assert "YIWANG_CLEARANCE_CUTOFF" in result.stderr


@pytest.mark.parametrize(
    ("providers", "named"),
    [
        ("simulator", "takes no money"),
        ("paypal", "unknown ['paypal']"),
        ("alipay", "alipay needs: app_id, private_key_pem, alipay_public_key_pem"),
        ("wechat", "wechat needs: mchid, appid, api_v3_key"),
    ],
)
def test_production_refuses_the_simulator_unknown_providers_and_unconfigured_ones(
    providers: str, named: str
) -> None:
    result = load_settings({**GOOD_PRODUCTION, "YIWANG_PAYMENT_PROVIDERS": providers})
    assert result.returncode != 0
    assert named in result.stderr


def test_production_may_run_the_simulator_for_a_demonstration_site() -> None:
    env = {"YIWANG_PAYMENT_PROVIDERS": "simulator", "YIWANG_SIMULATOR_IN_PRODUCTION": "1"}
    result = load_settings({**GOOD_PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
