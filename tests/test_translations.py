"""Every Peken string has English, the catalog is up to date with the code, and the .mo matches the .po."""

import ast
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from oscar.core.loading import get_model

from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from procurement.services import requisition_decide, requisition_submit_from_basket
from procurement.statuses import Decision
from tests.factories import DEFAULT_PASSWORD, product_create, seller_create
from tests.procurement_factories import approval_world, official_basket

ROOT = Path(__file__).resolve().parent.parent
EN_PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
ID_PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
# the same folders the lead's `manage.py makemessages -l en --ignore=...` leaves out
NOT_SOURCE = (
    ".venv",
    ".git",
    ".ci",
    ".ruff_cache",
    "__pycache__",
    "tests",
    "bench",
    "screenshots",
    "node_modules",
)


def parse_po(path: Path) -> list[dict]:
    """The catalog's live entries: msgctxt, msgid, msgid_plural, msgstr (list) and flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                break  # obsolete
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(field, int):
                    entry["msgstr"][field] += value
                else:
                    entry[field] += value
                continue
            keyword, _, literal = line.partition(" ")
            value = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                field = int(keyword[7:-1]) if "[" in keyword else 0
                entry["msgstr"][field] = value
            else:
                field = keyword
                entry[field] = value
        if entry["msgid"]:  # not the header, not obsolete
            entries.append(entry)
    return entries


def key(entry: dict) -> tuple:
    return entry["msgctxt"], entry["msgid"], entry["msgid_plural"]


def test_every_peken_string_has_english_and_none_is_a_guess():
    # given the committed English catalog
    entries = parse_po(EN_PO)
    # when we look for empty translations and makemessages' fuzzy guesses
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    # then there are none
    assert len(entries) > 1000
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("po", [EN_PO, ID_PO], ids=["en", "id"])
def test_catalogs_pass_msgfmt_checks(po, tmp_path):
    # given a committed catalog
    # when msgfmt compiles it with its placeholder and header checks
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)], capture_output=True, text=True
    )
    # then it compiles without a complaint
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_english_catalog_holds_exactly_the_strings_the_code_marks(tmp_path):
    # given a copy of the project's source, with its committed catalog
    copy = tmp_path / "peken"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCE, "*.mo"))
    # when makemessages collects the marked strings again in the copy
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "peken.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", *(f"--ignore={d}" for d in NOT_SOURCE)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = {key(e) for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    committed = {key(e) for e in parse_po(EN_PO)}
    # then nothing marked in the code is missing from the committed catalog, and nothing there is stale
    assert sorted(fresh - committed, key=str) == [], "run makemessages -l en and translate the new strings"
    assert sorted(committed - fresh, key=str) == [], "run makemessages -l en; msgattrib --no-obsolete"


def test_compiled_english_catalog_says_what_the_po_says():
    # given every entry of the committed English catalog
    entries = parse_po(EN_PO)
    wrong = []
    # when Django translates each msgid into English from the compiled .mo
    with translation.override("en"):
        for e in entries:
            ctx, msgid, plural, msgstr = e["msgctxt"], e["msgid"], e["msgid_plural"], e["msgstr"]
            if plural:
                got = [
                    translation.npgettext(ctx, msgid, plural, n)
                    if ctx
                    else translation.ngettext(msgid, plural, n)
                    for n in (1, 2)
                ]
                want = [msgstr[0], msgstr[1]]
            else:
                got = translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)
                want = msgstr[0]
            if got != want:
                wrong.append((msgid, want, got))
    # then each reads as the .po says: the .mo was compiled from this .po
    assert wrong == [], "run manage.py compilemessages -l en"


def test_order_statuses_read_in_english_on_the_seller_centre_and_the_requisition(
    db, indonesia, client, django_capture_on_commit_callbacks
):
    # given an approved requisition whose order the seller has accepted
    world = approval_world()
    shop = seller_create(name="Toko Sembako Bu Ani", email="ani@contoh.id")
    beras = product_create(title="Beras Premium 5 kg", price=Decimal("75000"), partner=shop)
    with django_capture_on_commit_callbacks(execute=True):
        basket = official_basket(user=world.requester, items=[(beras, 2)])
        requisition = requisition_submit_from_basket(
            user=world.requester,
            agency=world.agency,
            basket=basket,
            budget_line=world.line,
            kode_rup="41552026",
            purpose="Konsumsi rapat",
            delivery_address="Jl. Jemursari No. 197, Surabaya",
            needed_by=timezone.localdate() + timedelta(days=5),
            contact_name="Rina Wulandari",
            contact_phone="0812-3456-7890",
        )
        requisition_decide(requisition=requisition, user=world.pp, decision=Decision.APPROVE)
    order = get_model("order", "Order").objects.get(checkout_reference=requisition.reference)
    order_status_change(
        order=order, actor=shop.users.first(), party=Party.SELLER, status=OrderStatus.ACCEPTED
    )
    with translation.override("en"):
        accepted = str(OrderStatus.ACCEPTED.label)
    assert accepted != OrderStatus.ACCEPTED.value
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when the seller opens the centre's order list, and the requester the requisition, in English
    client.login(username=shop.users.first().username, password=DEFAULT_PASSWORD)
    orders_page = client.get(reverse("sellers:centre-orders")).content.decode()
    client.login(username=world.requester.username, password=DEFAULT_PASSWORD)
    requisition_page = client.get(reverse("procurement:detail", kwargs={"reference": requisition.reference}))
    # then both name the order's status in English, not by its stored Indonesian value
    assert f">{accepted}</span>" in orders_page and f">{OrderStatus.ACCEPTED.value}</span>" not in orders_page
    assert f'<span class="peken-req-status">{accepted}</span>' in requisition_page.content.decode()
