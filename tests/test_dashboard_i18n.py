"""Simplified Chinese by default, English per login; the catalogues are complete and compiled."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from dashboard.models import Preference
from tests.dashboard_helpers import client_for, orders_clerk
from tests.paths import REPO

LOCALE = REPO / "dashboard" / "locale"
LANGS = ("zh_Hans", "en")


def entries(po: Path) -> dict[str, str]:
    """msgid → msgstr (plurals: the first form) from a .po file, read with the standard library only."""
    found: dict[str, str] = {}
    key, field = None, ""
    parts: dict[str, str] = {}
    fuzzy = False
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ", "msgstr[1] ")):
            field, _, value = line.partition(" ")
            parts[field] = value.strip()[1:-1]
        elif line.startswith('"') and field:
            parts[field] += line.strip()[1:-1]
        elif not line.strip() and parts:
            key = parts.get("msgid", "")
            if key:
                found[key] = "" if fuzzy else parts.get("msgstr", parts.get("msgstr[0]", ""))
            parts, field, fuzzy = {}, "", False
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_every_string_in_the_catalogue_is_translated_and_none_is_fuzzy(lang: str) -> None:
    found = entries(LOCALE / lang / "LC_MESSAGES" / "django.po")
    assert len(found) > 100
    assert [k for k, v in found.items() if not v] == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_compiled_catalogue_says_what_the_po_file_says(lang: str) -> None:
    po = entries(LOCALE / lang / "LC_MESSAGES" / "django.po")
    with (LOCALE / lang / "LC_MESSAGES" / "django.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    assert {k: mo.gettext(k) for k in po} == po


def test_every_string_the_code_and_templates_use_is_in_the_catalogue(tmp_path: Path) -> None:
    copy = tmp_path / "dashboard"
    shutil.copytree(REPO / "dashboard", copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(copy / "locale")
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=copy, check=True, capture_output=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "hub.settings", "PYTHONPATH": str(REPO)},
    )
    used = set(entries(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    have = set(entries(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert sorted(used - have) == [], "run makemessages and translate the new strings"


@pytest.mark.django_db
def test_the_dashboard_speaks_chinese_by_default_and_english_to_a_login_that_chose_it() -> None:
    login_page = Client().get("/login/").content.decode()
    assert "用户名" in login_page and 'lang="zh-hans"' in login_page
    clerk = orders_clerk()
    client = client_for(clerk)
    assert "确认我的全部消息" in client.get("/").content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    assert Preference.objects.get(user=clerk).language == "en"
    assert "Acknowledge all mine" in client.get("/").content.decode()
    # the Django admin keeps the project's language
    assert "Username" in Client().get("/admin/login/").content.decode()


@pytest.mark.django_db
def test_english_chosen_on_the_login_page_stays_after_logging_in() -> None:
    orders_clerk()
    client = Client()
    client.post("/language/", {"language": "en", "next": "/login/"})
    assert "User name" in client.get("/login/").content.decode()
    client.post("/login/", {"username": "li", "password": "pw-li"})
    assert "Acknowledge all mine" in client.get("/").content.decode()
