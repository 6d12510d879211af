"""The English translation: pages switch language, and the catalogue is complete and compiled.

Source strings are Simplified Chinese (LANGUAGE_CODE zh-hans); locale/en holds the English.
After adding strings: makemessages -l en, translate every new entry, compilemessages -l en.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from households.models import Household

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


# ---- a tiny .po reader (no polib at run time) --------------------------------------------


@dataclass
class Entry:
    msgid: str | None = None
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header included (msgid ""), obsolete (#~) ones left out.

    Strings use C escapes (\\" \\\\ \\n \\t), which a JSON string reads the same way.
    """
    entries: list[Entry] = []
    current = Entry()
    flags: set[str] = set()
    target: tuple[str, int] = ("msgid", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if not line or line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword == "msgctxt" or (keyword == "msgid" and current.msgid is not None):
            if current.msgid is not None:
                entries.append(current)
            current = Entry(flags=flags, line=number)
            flags = set()
        if line.startswith('"'):
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += json.loads(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + json.loads(line))
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            if keyword == "msgid" and not current.line:
                current.flags, current.line, flags = flags, number, set()
            setattr(current, keyword, json.loads(rest))
            target = (keyword, 0)
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current.msgstr[index] = json.loads(rest)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {line!r}")
    if current.msgid is not None:
        entries.append(current)
    return entries


def _messages() -> list[Entry]:
    return [e for e in read_po(PO) if e.msgid]


# ---- the catalogue --------------------------------------------------------------------------


def test_catalogue_has_entries_and_a_compiled_file():
    assert len(_messages()) > 500
    assert MO.exists(), "run: manage.py compilemessages -l en"


def test_no_entry_is_untranslated_or_fuzzy():
    header = next(e for e in read_po(PO) if not e.msgid)
    assert "fuzzy" not in header.flags
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    problems = []
    for e in _messages():
        expected = 2 if e.msgid_plural else 1
        if "fuzzy" in e.flags:
            problems.append(f"line {e.line}: fuzzy: {e.msgid}")
        elif len(e.msgstr) != expected or not all(e.msgstr.values()):
            problems.append(f"line {e.line}: untranslated: {e.msgid}")
    assert not problems, "\n".join(problems)


def test_translations_are_english_and_keep_their_placeholders():
    problems = []
    for e in _messages():
        for index, text in e.msgstr.items():
            source = e.msgid_plural if (e.msgid_plural and index) else e.msgid
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                problems.append(f"line {e.line}: placeholders differ: {e.msgid} → {text}")
            # Only the language's own name in the switcher stays Chinese.
            if HAN.search(text) and e.msgid != "简体中文":
                problems.append(f"line {e.line}: Chinese left in: {e.msgid} → {text}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo is what Django serves: it must be compiled from the current .po."""
    stale = []
    with translation.override("en"):
        for e in _messages():
            if e.msgid_plural and e.msgctxt is not None:
                got = [translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n) for n in (1, 2)]
                want = [e.msgstr[0], e.msgstr[1]]
            elif e.msgid_plural:
                got = [translation.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
                want = [e.msgstr[0], e.msgstr[1]]
            elif e.msgctxt is not None:
                got, want = translation.pgettext(e.msgctxt, e.msgid), e.msgstr[0]
            else:
                got, want = translation.gettext(e.msgid), e.msgstr[0]
            if got != want:
                stale.append(f"{e.msgid}: served {got!r}, .po says {want!r}")
    assert not stale, "run: manage.py compilemessages -l en\n" + "\n".join(stale[:20])


# ---- pages ---------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    page = client.get(reverse("login")).text
    assert 'lang="zh-hans"' in page
    assert "登录助联" in page


@pytest.mark.django_db
def test_login_page_in_english_with_the_language_cookie(english):
    page = english.get(reverse("login")).text
    assert 'lang="en"' in page
    assert "Log in to Zhulian" in page
    assert ">Log in</button>" in page
    assert "登录" not in page


@pytest.mark.django_db
def test_login_page_in_english_from_accept_language(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").text
    assert "Log in to Zhulian" in page


@pytest.mark.django_db
def test_household_list_in_english(english, personas, household):
    english.force_login(personas.caseworker)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(reverse("households:list")).text
    assert "<h1>Households</h1>" in page
    assert "1 household<" in page
    assert "Head of household" in page
    assert "家庭档案" not in page
    assert "王建国" in page  # data stays as entered


@pytest.mark.django_db
def test_bad_identity_number_gives_the_english_error(english, personas, areas):
    english.force_login(personas.caseworker)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {
        "household-area": areas.grid.pk,
        "household-address": "新登记路5号",
        "household-phone": "13800000000",
        "household-note": "",
        "head-name": "周建华",
        "head-id_number": "320506196005170011",  # wrong check digit: should end in 5
        "head-phone": "",
        "head-disability_type": "",
        "head-disability_grade": "",
        "head-health": "healthy",
        "head-illness": "",
        "head-labour_capacity": "full",
        "head-employment": "na",
        "head-schooling": "none",
        "head-monthly_income": "0",
    }
    response = english.post(reverse("households:create"), data)
    assert response.status_code == 400
    assert "Wrong check digit in the ID number: the last character does not match" in response.text
    assert "校验位错误" not in response.text
    assert not Household.objects.filter(address="新登记路5号").exists()


def test_identity_number_errors_follow_the_active_language():
    from django.core.exceptions import ValidationError

    from households import idnumber

    for language, text in (("en", "must have 18 characters"), ("zh-hans", "应为18位")):
        with translation.override(language), pytest.raises(ValidationError) as error:
            idnumber.parse("1234")
        assert text in " ".join(error.value.messages)
