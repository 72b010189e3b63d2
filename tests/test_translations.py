"""Both languages are complete: every string in the code is in both catalogues, translated."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "yiwang" / "locale"
LANGUAGES = ("zh_Hans", "en")


def catalogue(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (plural forms keyed by the singular), fuzzy ones marked."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        msgid = _field(block, "msgid")
        if not msgid:  # the header
            continue
        if "#, fuzzy" in block:
            entries[msgid] = ""
            continue
        entries[msgid] = _field(block, "msgstr") or _field(block, r"msgstr\[0\]")
    return entries


def _field(block: str, name: str) -> str:
    match = re.search(rf'^{name} ((?:".*"\n?)+)', block + "\n", re.MULTILINE)
    if not match:
        return ""
    return "".join(re.findall(r'"(.*)"', match.group(1)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language: str) -> None:
    entries = catalogue(LOCALE / language / "LC_MESSAGES" / "django.po")
    untranslated = sorted(msgid for msgid, msgstr in entries.items() if not msgstr)
    assert untranslated == []


def test_chinese_translations_are_chinese() -> None:
    entries = catalogue(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    latin_only = sorted(
        msgid
        for msgid, msgstr in entries.items()
        if re.search("[A-Za-z]{3}", msgid) and not cjk.search(msgstr)
    )
    assert latin_only == []


def test_the_catalogues_hold_every_string_of_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: script/bootstrap installs gettext")
    monkeypatch.chdir(ROOT)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            ignore_patterns=[".venv/*", "tests/*", "bench/*", "yiwang/locale"],
            verbosity=0,
        )
    fresh = set(catalogue(tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    kept = set(catalogue(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert sorted(fresh - kept) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogues_compile(language: str) -> None:
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing: script/bootstrap installs gettext")
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
