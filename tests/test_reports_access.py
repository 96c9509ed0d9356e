"""Every report URL allows exactly the people its rule names (as tests/test_procurement_access.py does).

The URL names are read from the resolver (the whole "reports" namespace); each needs an entry
in ``TABLE``, so a new report URL without a rule fails ``test_every_report_url_has_an_access_rule``.

The world: agencies A and B, each with a PA/KPA, an agency admin, a requester and a treasurer;
a city-wide auditor; a platform staff member; a seller; a plain shopper; an anonymous visitor.
City-wide readers see every agency, an agency's PA/KPA and admin their own; an agency's
treasurer reads only its payments and taxes; the seller reads only their own shop's sales;
nobody else reads a report, and nobody outside A's readers sees agency A's name on any page.
A finished export of agency A's PA: only its owner may see or download it.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from procurement.statuses import Role
from reports.models import ReportExport
from reports.statuses import ExportFormat, ExportStatus
from tests.factories import UserFactory, seller_create
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, UnitFactory, person_with_roles
from tests.test_procurement_access import _outcome
from tests.url_walk import named_patterns

PEOPLE = {
    "pa": Role.BUDGET_HOLDER,
    "admin": Role.AGENCY_ADMIN,
    "requester": Role.REQUESTER,
    "bendahara": Role.TREASURER,
}
ACTORS = (
    "anonymous",
    *sorted({f"{a}_{p}" for a in "ab" for p in PEOPLE} | {"auditor", "staff", "seller", "shopper"}),
)
CITY = frozenset({"auditor", "staff"})
A_READERS = CITY | {"a_pa", "a_admin"}
READERS = A_READERS | {"b_pa", "b_admin"}
TREASURERS = frozenset({"a_bendahara", "b_bendahara"})
# who may see agency A's name somewhere: its readers, and its treasurer on the payments report
A_VIEWERS = A_READERS | {"a_bendahara"}
SELLERS = frozenset({"seller"})


@dataclass(frozen=True)
class Rule:
    """Who may GET one report URL (POST is refused to all) and how to aim it at agency A."""

    get: frozenset
    kwargs: dict = field(default_factory=dict)
    why: str = ""


TABLE: dict[str, Rule] = {
    "reports:realisation": Rule(get=READERS, why="every report reader; each sees the agencies they may read"),
    "reports:realisation-export": Rule(get=READERS, kwargs={"fmt": "csv"}, why="as its page"),
    "reports:realisation-agency": Rule(
        get=A_READERS, kwargs={"code": "agency_a"}, why="city-wide readers and agency A's PA/KPA and admin"
    ),
    "reports:realisation-line": Rule(get=A_READERS, kwargs={"pk": "line_a"}, why="as its agency's page"),
    "reports:umkm": Rule(get=READERS, why="every report reader; each sees the agencies they may read"),
    "reports:umkm-export": Rule(get=READERS, kwargs={"fmt": "xlsx"}, why="as its page"),
    "reports:spend": Rule(get=READERS, why="every report reader; each sees the agencies they may read"),
    "reports:spend-purchases": Rule(get=READERS, why="as the spend page: the readable agencies' paid orders"),
    "reports:spend-export": Rule(get=READERS, kwargs={"fmt": "csv"}, why="as its page"),
    "reports:exposure": Rule(get=READERS, why="every report reader; official spend of agencies they read"),
    "reports:exposure-export": Rule(get=READERS, kwargs={"fmt": "csv"}, why="as its page"),
    "reports:red-flags": Rule(get=READERS, why="every report reader; the flags of the agencies they read"),
    "reports:red-flags-export": Rule(get=READERS, kwargs={"fmt": "xlsx"}, why="as its page"),
    "reports:payments": Rule(
        get=READERS | TREASURERS, why="every report reader, and each agency's treasurer for their own agency"
    ),
    "reports:payments-export": Rule(get=READERS | TREASURERS, kwargs={"fmt": "xlsx"}, why="as its page"),
    "reports:sales": Rule(get=SELLERS, why="the people of a shop, for their own shop; not staff or auditors"),
    "reports:sales-export": Rule(get=SELLERS, kwargs={"fmt": "csv"}, why="as its page"),
    "reports:exports": Rule(
        get=READERS | TREASURERS | SELLERS, why="anyone who reads a report; each sees their own exports only"
    ),
    "reports:export-status": Rule(
        get=frozenset({"a_pa"}), kwargs={"pk": "export_a"}, why="the export's owner only; 404 for the rest"
    ),
    "reports:export-download": Rule(
        get=frozenset({"a_pa"}), kwargs={"pk": "export_a"}, why="the export's owner only; 404 for the rest"
    ),
}
# where "Laporan" in the menu leads: the first report group the person reads
LANDING = {
    **{actor: "reports:realisation" for actor in READERS},
    **{actor: "reports:payments" for actor in TREASURERS},
    "seller": "reports:sales",
}
# each tab of the reports' own menu and the page it opens
TABS = {
    "realisation": "reports:realisation",
    "umkm": "reports:umkm",
    "payments": "reports:payments",
    "sales": "reports:sales",
    "exports": "reports:exports",
    "exposure": "reports:exposure",
    "red-flags": "reports:red-flags",
    "spend": "reports:spend",
}


def report_urls() -> dict[str, list[URLPattern]]:
    found: dict[str, list[URLPattern]] = {}
    for name, pattern in named_patterns():
        if name.startswith("reports:"):
            found.setdefault(name, []).append(pattern)
    return found


@pytest.fixture
def world(db):
    people, values = {}, {"fmt": None}
    for key, name in (("a", "Dinas Kesehatan Rahasia"), ("b", "Dinas Pendidikan")):
        agency = AgencyFactory(name=name, code=f"uji-{key}")
        unit = UnitFactory(agency=agency, name=f"Sekretariat {key.upper()}")
        for suffix, role in PEOPLE.items():
            people[f"{key}_{suffix}"] = person_with_roles(
                agency=agency, roles=[role], unit=unit, email=f"{key}-{suffix}@pemkot.contoh.id"
            )
        line = BudgetLineFactory(
            agency=agency, ceiling=Decimal("500000000"), sub_activity=f"Sub kegiatan {name}"
        )
        values[f"agency_{key}"], values[f"line_{key}"] = agency.code, line.pk
    people["auditor"] = person_with_roles(
        agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.contoh.id"
    )
    people["staff"] = UserFactory(email="operator@peken.contoh.id", username="operator", is_staff=True)
    people["seller"] = seller_create(name="Toko Bu Rini", email="rini@contoh.id").users.get()
    people["shopper"] = UserFactory(email="warga@contoh.id", username="warga")
    # agency A's PA has a finished export of A's realisation, named after the secret agency
    export = ReportExport.objects.create(
        requested_by=people["a_pa"],
        url_name="reports:realisation-export",
        url_kwargs={"fmt": "csv"},
        fmt=ExportFormat.CSV,
        title="Realisasi anggaran",
        filter_text="OPD: Dinas Kesehatan Rahasia",
        file_name="realisasi-anggaran.csv",
        status=ExportStatus.DONE,
        file=default_storage.save("laporan-unduhan/uji.csv", ContentFile(b"Dinas Kesehatan Rahasia\r\n")),
        expires_at=timezone.now() + timedelta(days=1),
    )
    values["export_a"] = export.pk
    return {"people": people, "values": values, "secrets": ["Dinas Kesehatan Rahasia"]}


def _client_for(actor: str, world) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(world["people"][actor])
    return client


def _url(name: str, pattern: URLPattern, rule: Rule, world) -> str:
    needed = set(pattern.pattern.regex.groupindex)
    missing = needed - set(rule.kwargs)
    assert not missing, f"{name}: the table gives no value for {sorted(missing)}"
    values = {k: (v if k == "fmt" else world["values"][v]) for k, v in rule.kwargs.items() if k in needed}
    return reverse(name, kwargs=values)


def rules_missing(table: dict) -> list[str]:
    return sorted(set(report_urls()) - set(table))


def test_every_report_url_has_an_access_rule():
    missing = rules_missing(TABLE)
    assert not missing, (
        "report URL names without an access rule in tests/test_reports_access.py: "
        f"{', '.join(missing)}. Add each to TABLE with its kwargs and who may GET it."
    )
    stale = sorted(set(TABLE) - set(report_urls()))
    assert not stale, f"TABLE names URLs that no longer exist: {', '.join(stale)}"


def test_a_url_without_a_rule_is_named():
    table = {name: rule for name, rule in TABLE.items() if name != "reports:umkm"}
    assert rules_missing(table) == ["reports:umkm"]


def test_each_actor_gets_exactly_what_the_rule_allows(world):
    wrong, leaks = [], []
    clients = {actor: _client_for(actor, world) for actor in ACTORS}
    for name, patterns in sorted(report_urls().items()):
        rule = TABLE.get(name)
        if rule is None:
            continue  # reported by the test above
        for pattern in patterns:
            url = _url(name, pattern, rule, world)
            for method in ("get", "post"):
                for actor in ACTORS:
                    # when the actor asks (inside a savepoint undone afterwards)
                    with transaction.atomic():
                        response = getattr(clients[actor], method)(url)
                        transaction.set_rollback(True)
                    got = _outcome(response, ())
                    # then the answer is what the rule says: reports are read, never posted to
                    if method == "post":
                        expected = {"405", "login", "denied"}
                    elif actor == "anonymous":
                        expected = {"login"}
                    elif actor in rule.get:
                        expected = {"allowed"}
                    else:
                        expected = {"denied"}
                    if got not in expected:
                        wrong.append(
                            f"{method.upper()} {url} ({name}) as {actor}: expected "
                            f"{'/'.join(sorted(expected))}, got {got} ({response.status_code})"
                        )
                    if actor not in A_VIEWERS and response.status_code == 200:
                        body = response.content.decode("utf-8", errors="replace")
                        shown = [secret for secret in world["secrets"] if secret in body]
                        if shown:
                            leaks.append(f"{method.upper()} {url} ({name}) as {actor} shows {shown}")
    assert not wrong, "Access rules broken:\n" + "\n".join(wrong)
    assert not leaks, "Agency A shown to those who may not read it:\n" + "\n".join(leaks)


def test_the_secret_is_shown_to_those_who_may_read_it(world):
    # a leak check that could never find anything would prove nothing
    for actor in ("auditor", "a_pa"):
        body = _client_for(actor, world).get(reverse("reports:realisation")).content.decode()
        assert world["secrets"][0] in body


def test_the_menu_links_to_the_reports_for_their_readers_only(world):
    # given every signed-in actor, when they open the home page
    for actor in ACTORS[1:]:
        body = _client_for(actor, world).get(reverse("home")).content.decode()
        # then the menu links to the reports exactly for those who may read one, at a page they may open
        assert ("data-nav-reports" in body) == (actor in LANDING), actor
        if actor in LANDING:
            assert f'href="{reverse(LANDING[actor])}" data-nav-reports' in body, actor
            assert actor in TABLE[LANDING[actor]].get, actor


def test_the_report_tabs_are_the_pages_the_viewer_may_open(world):
    tab = re.compile(r'data-tab="([\w-]+)"')
    for actor, landing in LANDING.items():
        # when each reader opens the page the menu leads them to
        response = _client_for(actor, world).get(reverse(landing))
        assert response.status_code == 200, actor
        # then its tabs are exactly the reports the access table lets them open
        shown = set(tab.findall(response.content.decode()))
        assert shown == {name for name, url in TABS.items() if actor in TABLE[url].get}, actor


def test_a_treasurer_reads_payments_but_no_spending_report(world):
    client = _client_for("b_bendahara", world)
    assert client.get(reverse("reports:realisation")).status_code == 403
    assert client.get(reverse("reports:umkm")).status_code == 403
    response = client.get(reverse("reports:payments"))
    # the filter bar offers their own agency only
    assert [a.code for a in response.context["form"].fields["opd"].queryset] == [world["values"]["agency_b"]]
    assert (
        client.get(reverse("reports:payments"), {"opd": world["values"]["agency_a"]}).context["filter"]
        is None
    )
