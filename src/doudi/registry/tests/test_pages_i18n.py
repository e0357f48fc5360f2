"""Page language: Simplified Chinese by default, English on request.

Django picks the language from the django_language cookie (set by the
language switch), then the Accept-Language header, then LANGUAGE_CODE.
The catalog checks at the end catch a string left untranslated and a
compiled .mo file that no longer matches its .po source.
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from doudi.privacy.models import User
from doudi.registry.models import Household

SIGN_IN_URL = "/account/sign-in/"
LIST_URL = "/registry/households/"
SET_LANGUAGE_URL = "/i18n/setlang/"
LOCALE_DIR = Path(django_settings.LOCALE_PATHS[0])
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.mo"


@pytest.fixture(autouse=True)
def _second_factor_off(settings) -> None:
    # These tests sign in with force_login, which verifies no second factor,
    # so the requirement is off whatever the environment sets.
    settings.OTP_REQUIRED = False


def _signed_in(user: User, **headers: str) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


def _detail_url(household: Household) -> str:
    return f"/registry/households/{household.pk}/"


# Default language


@pytest.mark.django_db
def test_sign_in_defaults_to_chinese(client: Client) -> None:
    response = client.get(SIGN_IN_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html
    assert "跳到主要内容" in html
    assert "长辈模式" in html
    assert "User name" not in html


def test_household_list_defaults_to_chinese(users, household) -> None:
    response = _signed_in(users["owner"]).get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>家庭档案</h1>" in html
    assert "户主" in html
    assert "王**" in html
    assert "王测试" not in html


def test_household_detail_defaults_to_chinese(users, household) -> None:
    response = _signed_in(users["owner"]).get(_detail_url(household))

    html = response.content.decode()
    assert response.status_code == 200
    assert "家庭成员" in html
    assert "居民身份证号码" in html
    # Choice labels come from the model layer's lazy translations.
    assert "子女" in html
    assert "显示完整号码" in html


# English on request


@pytest.mark.django_db
def test_sign_in_follows_accept_language(client: Client) -> None:
    response = client.get(SIGN_IN_URL, headers={"accept-language": "en"})

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "User name" in html
    assert "Skip to main content" in html
    assert "用户名" not in html


def test_household_list_follows_accept_language(users, household) -> None:
    client = _signed_in(users["owner"], accept_language="en")

    html = client.get(LIST_URL).content.decode()
    assert "<h1>Households</h1>" in html
    assert "Head" in html
    assert "家庭档案" not in html


@pytest.mark.django_db
def test_language_switch_overrides_header(client: Client) -> None:
    response = client.post(
        SET_LANGUAGE_URL,
        {"language": "en", "next": SIGN_IN_URL},
        headers={"accept-language": "zh-CN"},
    )
    assert response.status_code == 302
    assert response["Location"] == SIGN_IN_URL

    page = client.get(SIGN_IN_URL, headers={"accept-language": "zh-CN"})
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "User name" in html


def test_language_switch_back_to_chinese(users, household) -> None:
    client = _signed_in(users["owner"], accept_language="en")

    client.post(SET_LANGUAGE_URL, {"language": "zh-hans", "next": LIST_URL})

    html = client.get(_detail_url(household)).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "家庭成员" in html


# Catalog


def _po_entries(path: Path) -> list[tuple[str, list[str], bool]]:
    """Parse a .po file into (msgid, msgstr forms, fuzzy) tuples, header dropped.

    Handles what makemessages writes: comments, flags, msgctxt,
    msgid_plural, msgstr[n] and strings continued on the following lines. A
    msgid with a context is returned as the .mo file keys it:
    context, "\x04", msgid.
    """
    entries: list[tuple[str, list[str], bool]] = []
    msgid: list[str] = []
    msgstrs: list[list[str]] = []
    fuzzy = False
    current: list[str] | None = None
    context = ""

    def flush() -> None:
        if msgid or msgstrs:
            entries.append(("".join(msgid), ["".join(s) for s in msgstrs], fuzzy))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            flush()
            msgid, msgstrs, current = [], [], None
            fuzzy = "fuzzy" in line
        elif line.startswith("msgctxt "):
            if msgstrs:
                flush()
                msgid, msgstrs = [], []
                fuzzy = False
            context = ast.literal_eval(line[len("msgctxt ") :]) + "\x04"
        elif line.startswith("msgid "):
            if msgstrs:
                flush()
                msgid, msgstrs = [], []
                fuzzy = False
            msgid = [context + ast.literal_eval(line[len("msgid ") :])]
            context = ""
            current = msgid
        elif line.startswith("msgid_plural "):
            current = []
        elif line.startswith("msgstr"):
            _, _, literal = line.partition(" ")
            current = [ast.literal_eval(literal)]
            msgstrs.append(current)
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    flush()
    return [entry for entry in entries if entry[0]]


def test_chinese_catalog_complete() -> None:
    entries = _po_entries(ZH_PO)

    untranslated = [msgid for msgid, forms, _ in entries if not all(forms)]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert len(entries) > 100
    assert untranslated == []
    assert fuzzy == []
    assert "#, fuzzy" not in ZH_PO.read_text(encoding="utf-8")


def test_chinese_mo_matches_po() -> None:
    with ZH_MO.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)

    # A difference means the .po changed without compilemessages being re-run.
    stale = [
        msgid
        for msgid, forms, _ in _po_entries(ZH_PO)
        if len(forms) == 1 and catalog.gettext(msgid) != forms[0]
    ]
    assert stale == []
