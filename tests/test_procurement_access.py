"""Every procurement URL allows exactly the people its rule names.

The URL names are read from the resolver when the test runs (the whole "procurement"
namespace). Each must have an entry in ``TABLE`` saying how to build its kwargs from
the world below and who may GET and POST it; a new URL without an entry makes
``test_every_procurement_url_has_an_access_rule`` fail and name it.

The world: agency A and agency B, each with one person per role (requester, Pejabat
Pengadaan, PPK, PA/KPA, Bendahara, penerima barang, agency admin), a requisition waiting for
its Pejabat Pengadaan and an approved one whose seller order is on its way; a city-wide
auditor; a seller; a plain shopper; an anonymous visitor.
Every actor requests every URL; each request runs in a savepoint that is rolled back,
so an allowed POST changes nothing for the next actor.

Allowed: 2xx, or a redirect that is not to the sign-in page (nor to a page the entry
names as its refusal). Denied: 403 or 404, or (anonymous) a redirect to sign in.
A method the view does not take (405) is neither and is checked to be refused to all.
"""

from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, resolve, reverse

from procurement.context_processors import MODE_SESSION_KEY
from procurement.statuses import RequisitionStatus
from tests.access_world import (
    A_APPROVERS,
    A_BUDGET_READERS,
    A_PAYMENT_READERS,
    A_RECEIPT_READERS,
    A_RECEIVERS,
    A_SPJ_READERS,
    APPROVERS,
    REQUESTERS,
    SEES_A,
    SIGNED_IN,
    A,
    access_world,
)
from tests.url_walk import named_patterns

ACTORS = ("anonymous", *sorted(SIGNED_IN))


@dataclass(frozen=True)
class Rule:
    """How to aim one URL at agency A's objects and who may use it.

    ``kwargs`` maps URL parameters to keys of the world; ``get``/``post`` are the
    actors allowed (None: the view does not take the method); ``data`` names a
    world key holding the POST body; ``refusal`` lists URL names a redirect to
    which means "not for you" (a page that sends people away instead of a 403).
    """

    get: frozenset | None
    post: frozenset | None = None
    kwargs: dict = field(default_factory=dict)
    data: str | None = None
    refusal: tuple = ()
    why: str = ""


TABLE: dict[str, Rule] = {
    # --- official buying (procurement/views_buying.py) ---
    "procurement:mode": Rule(
        get=None,
        post=frozenset({"a_requester"}),
        data="mode_a",
        why="only a requester of agency A may switch to buying for agency A",
    ),
    "procurement:submit": Rule(
        get=REQUESTERS,
        post=REQUESTERS,
        refusal=("basket:summary",),
        why="a requester in official mode (set in their session below); others are sent to the basket",
    ),
    "procurement:mine": Rule(
        get=SIGNED_IN, why="everyone signed in sees their own requisitions (an empty list for most)"
    ),
    "procurement:detail": Rule(
        get=frozenset({"a_requester"}) | A_APPROVERS,
        kwargs={"reference": "requisition_a"},
        why="its requester and the approvers of its agency",
    ),
    "procurement:revise": Rule(
        get=frozenset({"a_requester"}),
        post=frozenset({"a_requester"}),
        kwargs={"reference": "returned_a"},
        why="the requester of a returned requisition",
    ),
    "procurement:revise-basket": Rule(
        get=None,
        post=frozenset({"a_requester"}),
        kwargs={"reference": "returned_a"},
        why="the requester of a returned requisition takes its lines back into their basket",
    ),
    "procurement:cancel": Rule(
        get=None,
        post=frozenset({"a_requester"}),
        kwargs={"reference": "requisition_a"},
        why="the requester only",
    ),
    "procurement:inbox": Rule(
        get=SIGNED_IN, why="everyone signed in sees what waits for them (nothing for most)"
    ),
    "procurement:decide": Rule(
        get=A_APPROVERS,
        post=A_APPROVERS,
        kwargs={"reference": "requisition_a"},
        data="decide",
        why="approvers of A see the page; the service then refuses a step that is not theirs",
    ),
    "procurement:delegations": Rule(get=APPROVERS, post=APPROVERS, why="people holding an approver role"),
    "procurement:delegation-revoke": Rule(
        get=None, post=frozenset({"a_pp"}), kwargs={"pk": "delegation_a"}, why="the delegator only"
    ),
    # --- receipt of official orders (procurement/views_fulfilment.py) ---
    "procurement:receipts": Rule(
        get=SIGNED_IN, why="everyone signed in sees the orders waiting for their receipt (none for most)"
    ),
    "procurement:receipt": Rule(
        get=A_RECEIPT_READERS,
        post=A_RECEIVERS,
        kwargs={"number": "sent_order_a"},
        data="receipt",
        why="A's PPK and penerima barang record; its requester, approvers, treasurer and auditors read",
    ),
    "procurement:receipt-close": Rule(
        get=None,
        post=A_RECEIVERS,
        kwargs={"number": "sent_order_a"},
        data="close_short",
        why="whoever records the receipt closes the order short",
    ),
    # --- agency admin pages (procurement/views_admin.py): A's admin changes; A's PA/KPA and
    # treasurer also read the budget and the approval policy ---
    "procurement:opd-home": Rule(
        get=frozenset({"a_admin", "b_admin", "a_pa", "b_pa", "a_bendahara", "b_bendahara"}),
        why="agency admins, sent on to their own agency; budget readers, sent on to its budget",
    ),
    "procurement:opd-agency": Rule(get=frozenset({"a_admin"}), kwargs={"code": "agency_a_code"}),
    "procurement:opd-members": Rule(
        get=frozenset({"a_admin"}), post=frozenset({"a_admin"}), kwargs={"code": "agency_a_code"}
    ),
    "procurement:opd-member-revoke": Rule(
        get=frozenset({"a_admin"}),
        post=frozenset({"a_admin"}),
        kwargs={"code": "agency_a_code", "pk": "membership_a"},
    ),
    "procurement:opd-budget": Rule(get=A_BUDGET_READERS, kwargs={"code": "agency_a_code"}),
    "procurement:opd-budget-edit": Rule(
        get=frozenset({"a_admin"}),
        post=frozenset({"a_admin"}),
        kwargs={"code": "agency_a_code", "pk": "budget_line_a"},
    ),
    "procurement:opd-budget-import": Rule(
        get=frozenset({"a_admin"}), post=frozenset({"a_admin"}), kwargs={"code": "agency_a_code"}
    ),
    "procurement:opd-budget-template": Rule(get=A_BUDGET_READERS, kwargs={"code": "agency_a_code"}),
    "procurement:opd-budget-job": Rule(
        get=frozenset({"a_admin"}),
        kwargs={"code": "agency_a_code", "pk": "import_job_a"},
        why="a big import's progress and result: the admins of the agency it belongs to",
    ),
    "procurement:opd-budget-job-status": Rule(
        get=frozenset({"a_admin"}),
        kwargs={"code": "agency_a_code", "pk": "import_job_a"},
        why="the progress bar's JSON, likewise",
    ),
    "procurement:opd-policy": Rule(get=A_BUDGET_READERS, kwargs={"code": "agency_a_code"}),
    # --- auditors (procurement/views_audit.py) ---
    "procurement:audit-list": Rule(
        get=frozenset({"auditor", "a_pa", "a_admin", "b_pa", "b_admin"}),
        why="auditors city-wide; PA/KPA and agency admins for their own agency",
    ),
    "procurement:audit-trail": Rule(
        get=frozenset({"auditor"}),
        why="the whole trail holds every agency's roles and budgets: auditors only",
    ),
    "procurement:audit-detail": Rule(
        get=frozenset({"auditor", "a_pa", "a_admin"}),
        kwargs={"reference": "requisition_a"},
        why="auditors, and A's PA/KPA and agency admin; nobody can change anything there",
    ),
    # CSV here, so the leak check below reads the file; XLSX is the same view, see test_procurement_audit.py
    "procurement:audit-detail-export": Rule(
        get=frozenset({"auditor", "a_pa", "a_admin"}),
        kwargs={"reference": "requisition_a", "fmt": "csv"},
        why="whoever reads the history may download it",
    ),
    "procurement:audit-trail-export": Rule(
        get=frozenset({"auditor"}),
        kwargs={"fmt": "csv"},
        why="the whole trail's download, like its page: auditors only",
    ),
    # --- the treasurer (procurement/views_treasury.py) ---
    "procurement:payments": Rule(
        get=frozenset({"a_bendahara", "b_bendahara", "a_pa", "b_pa", "a_admin", "b_admin", "auditor"}),
        why="treasurers, and who reads an agency's payments: its PA/KPA and admin, the auditors",
    ),
    "procurement:payment": Rule(
        get=A_PAYMENT_READERS,
        post=frozenset({"a_bendahara"}),
        kwargs={"number": "order_a"},
        data="pay_cash",
        why="A's treasurer pays (the service then checks the order is received); A's readers read",
    ),
    "procurement:payment-card": Rule(
        get=None,
        post=frozenset({"a_bendahara"}),
        kwargs={"number": "order_a"},
        why="the KKPD card of A's order: A's treasurer only",
    ),
    "procurement:tax-deposits": Rule(
        get=A_PAYMENT_READERS,
        post=frozenset({"a_bendahara"}),
        kwargs={"code": "agency_a_code", "year": "this_year", "month": "this_month"},
        data="deposit",
        why="A's treasurer records deposits; A's readers read",
    ),
    # --- the seller's side (procurement/views_seller.py): pages of the seller centre ---
    "procurement:seller-withholdings": Rule(
        get=frozenset({"seller"}),
        why="a shop's own users: their payments from agencies and the taxes withheld; 403 for the shopless",
    ),
    "procurement:seller-withholdings-export": Rule(
        get=frozenset({"seller"}),
        kwargs={"year": "year", "fmt": "csv"},
        why="the same summary's download, likewise",
    ),
    # --- the treasurer's month (procurement/views_spj.py): A's treasurer, PA/KPA and admin, and
    # auditors city-wide; whoever reads the month may ask for its SPJ bundle ---
    "procurement:spj-home": Rule(
        get=frozenset({"a_bendahara", "b_bendahara", "a_pa", "b_pa", "a_admin", "b_admin", "auditor"}),
        why="sent on to the first agency whose month they read; nobody else has one",
    ),
    "procurement:spj-reconciliation": Rule(get=A_SPJ_READERS, kwargs={"code": "agency_a_code"}),
    "procurement:spj-coretax": Rule(get=A_SPJ_READERS, kwargs={"code": "agency_a_code"}),
    "procurement:spj-bundles": Rule(
        get=A_SPJ_READERS,
        post=A_SPJ_READERS,
        kwargs={"code": "agency_a_code"},
        data="spj_month",
        why="asking for a month's SPJ: whoever reads the month",
    ),
    "procurement:spj-bundle": Rule(get=A_SPJ_READERS, kwargs={"code": "agency_a_code", "pk": "spj_bundle_a"}),
    "procurement:spj-bundle-status": Rule(
        get=A_SPJ_READERS, kwargs={"code": "agency_a_code", "pk": "spj_bundle_a"}
    ),
    "procurement:spj-bundle-download": Rule(
        get=A_SPJ_READERS, kwargs={"code": "agency_a_code", "pk": "spj_bundle_a"}
    ),
    # --- documents (procurement/views_documents.py; the public /verifikasi/ page is elsewhere) ---
    "procurement:document-download": Rule(
        get=A | frozenset({"auditor", "seller"}),
        kwargs={"code": "document_a"},
        why="the requester, agency A's approvers, treasurer and admin, auditors, and the order's shop",
    ),
}


def procurement_urls() -> dict[str, list[URLPattern]]:
    found: dict[str, list[URLPattern]] = {}
    for name, pattern in named_patterns():
        if name.startswith("procurement:"):
            found.setdefault(name, []).append(pattern)
    return found


@pytest.fixture
def world(db):
    return access_world()


def _client_for(actor: str, world) -> Client:
    client = Client()
    if actor == "anonymous":
        return client
    user = world["people"][actor]
    client.force_login(user)
    if actor in REQUESTERS:
        session = client.session
        session[MODE_SESSION_KEY] = world["objects"][actor[0]]["agency"].pk
        session.save()
    return client


def _outcome(response, refusal: tuple) -> str:
    """ "allowed", "denied", "login" (sent to sign in) or "405"."""
    status = response.status_code
    if status == 405:
        return "405"
    if status in (403, 404):
        return "denied"
    if status in (301, 302, 303):
        target = resolve(response.url.split("?")[0])
        if response.url.startswith(settings.LOGIN_URL) or target.view_name == "customer:login":
            return "login"
        if target.view_name in refusal:
            return "denied"
        return "allowed"
    if 200 <= status < 300:
        return "allowed"
    return f"unexpected {status}"


def _url(name: str, pattern: URLPattern, rule: Rule, world) -> str:
    needed = set(pattern.pattern.regex.groupindex)
    missing = needed - set(rule.kwargs)
    assert not missing, f"{name}: the table gives no value for {sorted(missing)}"
    return reverse(name, kwargs={k: world["values"][v] for k, v in rule.kwargs.items() if k in needed})


def rules_missing(table: dict) -> list[str]:
    return sorted(set(procurement_urls()) - set(table))


def test_every_procurement_url_has_an_access_rule():
    found = procurement_urls()
    missing = rules_missing(TABLE)
    assert not missing, (
        "procurement URL names without an access rule in tests/test_procurement_access.py: "
        f"{', '.join(missing)}. "
        "Add each to TABLE with how to build its kwargs and who may GET and POST it."
    )
    stale = sorted(set(TABLE) - set(found))
    assert not stale, f"TABLE names URLs that no longer exist: {', '.join(stale)}"


def test_each_actor_gets_exactly_what_the_rule_allows(world):
    wrong, leaks, checked = [], [], 0
    clients = {actor: _client_for(actor, world) for actor in ACTORS}
    for name, patterns in sorted(procurement_urls().items()):
        rule = TABLE.get(name)
        if rule is None:
            continue  # reported by the test above
        for pattern in patterns:
            url = _url(name, pattern, rule, world)
            for method in ("get", "post"):
                allowed = getattr(rule, method)
                data = world["values"][rule.data] if (rule.data and method == "post") else {}
                for actor in ACTORS:
                    # when the actor asks (inside a savepoint undone afterwards)
                    with transaction.atomic():
                        response = getattr(clients[actor], method)(url, data)
                        transaction.set_rollback(True)
                    got = _outcome(response, rule.refusal)
                    checked += 1
                    # then the answer is what the rule says
                    if allowed is None:  # a method the view does not take: refused to all, however
                        expected = {"405", "login", "denied"}
                    elif actor == "anonymous":
                        expected = {"login"}
                    elif actor in allowed:
                        expected = {"allowed"}
                    else:
                        expected = {"denied"}
                    if got not in expected:
                        wrong.append(
                            f"{method.upper()} {url} ({name}) as {actor}: expected "
                            f"{'/'.join(sorted(expected))}, got {got} ({response.status_code})"
                        )
                    # and nobody outside A's circle ever reads A's requisition
                    if actor not in SEES_A and not getattr(response, "streaming", False):
                        body = response.content.decode(errors="replace")
                        shown = [secret for secret in world["secrets"] if secret in body]
                        if shown:
                            leaks.append(f"{method.upper()} {url} ({name}) as {actor} shows {shown}")
    assert not wrong, "Access rules broken:\n" + "\n".join(wrong)
    assert not leaks, "Agency A's requisition shown to outsiders:\n" + "\n".join(leaks)
    print(f"access: {checked} requests checked over {len(procurement_urls())} URL names")


def test_the_world_is_what_the_rules_assume(world):
    # the requisition of A waits for A's Pejabat Pengadaan, so only the PP may decide it
    requisition = world["objects"]["a"]["requisition"]
    assert requisition.status == RequisitionStatus.SUBMITTED
    client = _client_for("a_ppk", world)
    response = client.post(
        reverse("procurement:decide", kwargs={"reference": requisition.reference}), world["values"]["decide"]
    )
    requisition.refresh_from_db()
    assert response.status_code == 200 and requisition.status == RequisitionStatus.SUBMITTED
    assert not requisition.decisions.exists()


def test_a_url_without_a_rule_is_named():
    # given the table without the rule of one real URL, then that URL is named as missing
    table = {name: rule for name, rule in TABLE.items() if name != "procurement:audit-detail"}
    assert rules_missing(table) == ["procurement:audit-detail"]


def test_a_refusal_is_told_apart_from_a_page(world):
    # a 403, a 404, a redirect to sign in and a redirect to the refusal page are not "allowed"
    seller = _client_for("seller", world)
    url = reverse("procurement:audit-detail", kwargs={"reference": world["values"]["requisition_a"]})
    assert _outcome(seller.get(url), ()) == "denied"
    assert _outcome(_client_for("anonymous", world).get(url), ()) == "login"
    assert _outcome(seller.get(reverse("procurement:submit")), ("basket:summary",)) == "denied"
    assert _outcome(seller.get(reverse("procurement:submit")), ()) == "allowed"
    assert _outcome(_client_for("auditor", world).get(url), ()) == "allowed"
