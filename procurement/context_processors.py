"""The header's official-buying switch and its counts (approvals, orders to pay, orders to receive).

Who holds which role is read once and kept in the cache (dropped whenever a
membership changes), so a page costs no query for a visitor without a role and
one (the inbox count) for a member of an agency, plus one (the orders to pay) for a
treasurer and one (the orders waiting for receipt) for a PPK or penerima barang.
Anonymous visitors get nothing, so the shared anonymous pages of peken/page_cache.py
do not change.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from procurement.statuses import APPROVER_ROLES, Role

MODE_SESSION_KEY = "procurement_agency"
ROLES_CACHE_SECONDS = 600


def roles_cache_key(user_id: int) -> str:
    return f"procurement:roles:{user_id}"


def roles_forget(user_id: int) -> None:
    """Drop the cached roles of one person (their memberships changed)."""
    cache.delete(roles_cache_key(user_id))


def roles_of(user) -> list[tuple[int | None, str, str]]:
    """(agency id, agency name, role) for each role ``user`` holds, cached."""
    key = roles_cache_key(user.pk)
    roles = cache.get(key)
    if roles is None:
        from procurement.selectors import memberships_of  # not at the top: selectors imports this module

        roles = [(m.agency_id, m.agency.name if m.agency else "", m.role) for m in memberships_of(user=user)]
        cache.set(key, roles, ROLES_CACHE_SECONDS)
    return roles


@dataclass
class Header:
    """What the header shows one signed-in person about official buying."""

    requester_agencies: list[tuple[int, str]] = field(default_factory=list)
    official_agency: tuple[int, str] | None = None
    is_member: bool = False
    is_approver: bool = False
    inbox_count: int = 0
    is_treasurer: bool = False
    to_pay_count: int = 0  # complete official orders waiting for this treasurer
    is_receiver: bool = False
    receipt_count: int = 0

    @property
    def official(self) -> bool:
        return self.official_agency is not None


def official_agency_of(request) -> tuple[int, str] | None:
    """The agency ``request``'s person is buying for, or None in personal mode."""
    user = request.user
    if not user.is_authenticated:
        return None
    agency_id = request.session.get(MODE_SESSION_KEY)
    if agency_id is None:
        return None
    for role_agency, name, role in roles_of(user):
        if role == Role.REQUESTER and role_agency == agency_id:
            return (role_agency, name)
    return None


def _header(request) -> Header:
    roles = roles_of(request.user)
    header = Header(is_member=bool(roles))
    if not roles:
        return header
    # not at the top: selectors_fulfilment imports selectors, which imports this module
    from procurement.selectors_fulfilment import RECEIVER_ROLES, orders_to_receive

    seen = set()
    for agency_id, name, role in roles:
        if role == Role.REQUESTER and agency_id not in seen:
            seen.add(agency_id)
            header.requester_agencies.append((agency_id, name))
        if role in APPROVER_ROLES:
            header.is_approver = True
        if role == Role.TREASURER and agency_id:
            header.is_treasurer = True
        if role in RECEIVER_ROLES and agency_id:
            header.is_receiver = True
    header.official_agency = official_agency_of(request)
    # a delegate needs no approver role of their own, only a place in an agency
    if any(agency_id for agency_id, _name, _role in roles):
        from procurement.selectors import approver_inbox_count  # as above: selectors imports this module

        header.inbox_count = approver_inbox_count(user=request.user)
    if header.is_treasurer:
        from procurement.selectors_fulfilment import orders_to_pay  # as above

        header.to_pay_count = orders_to_pay(user=request.user).count()
    if header.is_receiver:
        header.receipt_count = orders_to_receive(user=request.user).count()
    return header


def procurement(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"procurement": SimpleLazyObject(lambda: _header(request))}
