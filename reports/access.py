"""Who may read which report: the one rule every report page, export and the menu ask.

- Spending (budget realisation, UMKM share and the other city reports): platform staff and the
  city's auditors (a city-wide membership) read every agency; an agency's PA/KPA and admin their
  own agency.
- Payments and taxes: the same, and an agency's treasurer their own agency, the people who read
  its money month on the reconciliation page (procurement.selectors_spj.SPJ_AGENCY_ROLES). A
  treasurer who holds no other role reads no spending report.
- Sales: the people of a shop read that shop's sales (the seller centre's shops), nobody else;
  not staff, not the auditors, who see sellers only in the city's reports.

Roles are the ones the header caches (procurement.context_processors.roles_of, dropped whenever
a membership changes), so deciding costs no query; whether someone works for a shop costs one.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from procurement.context_processors import roles_of
from procurement.models import Agency
from procurement.selectors_spj import SPJ_AGENCY_ROLES
from procurement.statuses import Role
from sellers.selectors import centre_shops, works_for_a_shop

# an agency's own PA/KPA (who owns its budget) and its admin read that agency's reports
AGENCY_READERS = frozenset({Role.BUDGET_HOLDER, Role.AGENCY_ADMIN})


@dataclass(frozen=True)
class Scope:
    """One group of reports: whose rows they hold, who reads them, where the menu lands."""

    name: str
    landing: str  # the URL name the menu and the report tabs open first
    denied: Promise  # why the pages are refused to someone outside the scope
    agency_roles: frozenset = frozenset()  # the roles that read their own agency's (agency scopes)
    shops: bool = False  # a shop's own rows, read by its people only


SPENDING = Scope(
    name="spending",
    landing="reports:realisation",
    agency_roles=AGENCY_READERS,
    denied=_("Laporan belanja hanya untuk PA/KPA, admin OPD, dan auditor."),
)
PAYMENTS = Scope(
    name="payments",
    landing="reports:payments",
    agency_roles=frozenset(SPJ_AGENCY_ROLES),
    denied=_("Laporan pembayaran dan pajak hanya untuk bendahara, PA/KPA, admin OPD, dan auditor."),
)
SALES = Scope(
    name="sales",
    landing="reports:sales",
    shops=True,
    denied=_("Laporan penjualan hanya untuk pemilik dan staf toko."),
)
# the menu's order: a person lands on the first scope they read
SCOPES = (SPENDING, PAYMENTS, SALES)


def _city_wide(user, roles) -> bool:
    return user.is_staff or any(role == Role.AUDITOR and agency_id is None for agency_id, _n, role in roles)


def scope_agency_ids(*, user, scope: Scope) -> frozenset[int] | None:
    """The agencies ``user`` reads in an agency ``scope``: None for every agency (no query)."""
    if not user.is_authenticated or scope.shops:
        return frozenset()
    roles = roles_of(user)
    if _city_wide(user, roles):
        return None
    return frozenset(
        agency_id for agency_id, _n, role in roles if agency_id is not None and role in scope.agency_roles
    )


def scope_agencies(*, user, scope: Scope) -> QuerySet:
    """The agencies whose rows ``user`` may read in an agency ``scope`` (empty: none of its reports)."""
    ids = scope_agency_ids(user=user, scope=scope)
    return Agency.objects.all() if ids is None else Agency.objects.filter(pk__in=ids)


def report_agencies(*, user) -> QuerySet:
    """The agencies whose spending reports ``user`` may read (empty: none)."""
    return scope_agencies(user=user, scope=SPENDING)


def payment_agencies(*, user) -> QuerySet:
    """The agencies whose payments and taxes report ``user`` may read (empty: none)."""
    return scope_agencies(user=user, scope=PAYMENTS)


def sales_shops(*, user) -> QuerySet:
    """The shops whose sales report ``user`` may read: those they work for, as the seller centre."""
    return centre_shops(user=user)


def readable(*, user, scope: Scope) -> QuerySet:
    """What ``user`` reads in ``scope``: its agencies, or for the sales its shops."""
    return sales_shops(user=user) if scope.shops else scope_agencies(user=user, scope=scope)


def _reads(user, scope: Scope) -> bool:
    if scope.shops:
        return works_for_a_shop(user=user)
    ids = scope_agency_ids(user=user, scope=scope)
    return ids is None or bool(ids)


def reports_open(*, user) -> frozenset[str]:
    """The names of the scopes ``user`` reads: which tabs the reports show (one query, for the shops)."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(scope.name for scope in SCOPES if _reads(user, scope))


def reports_home(*, user) -> str | None:
    """The URL name the menu's "Laporan" opens for ``user``: the first scope they read, else None.

    For the menu on every page: the cached roles decide for an agency's people, and only
    someone with no reporting role costs a query (whether they work for a shop).
    """
    if not user.is_authenticated:
        return None
    return next((scope.landing for scope in SCOPES if _reads(user, scope)), None)
