"""Reads about the documents of an official order: which are due, who reads them, what they hold.

What is due follows the order's state, not the event that woke the issuer, so running the
issuer again (or late) finds the same list:

- the contract document by band, once the seller has accepted the order, on the ordered lines'
  total including taxes (procurement.tax.contract_document). A purchase in the kuitansi band
  has no separate contract document: its kuitansi, issued at payment with the payment's
  amounts, is both (Perpres 16/2018 art. 27: the kuitansi is the contract of such a purchase);
- one BAST per handover (GoodsReceipt);
- once paid: the kuitansi and a tax summary of the payment.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue_ext.abstract_models import SupplyKind
from orders.statuses import OrderStatus
from procurement import selectors_fulfilment as fulfilment
from procurement.models import (
    ApprovalDecision,
    GoodsReceipt,
    Membership,
    OfficialDocument,
    OfficialPayment,
    Requisition,
)
from procurement.statuses import Decision, DocumentKind, OfficialPaymentStatus, Role
from procurement.tax import Channel, TaxLine, TaxQuote, tax_quote

# the seller has accepted the order (and it was not withdrawn since)
ACCEPTED_STATES = frozenset({OrderStatus.ACCEPTED, OrderStatus.READY, OrderStatus.SENT, OrderStatus.RECEIVED})
# who of the purchase's agency may download its documents, beside its requester
AGENCY_READERS = frozenset(
    {
        Role.PROCUREMENT_OFFICIAL,
        Role.COMMITMENT_OFFICIAL,
        Role.BUDGET_HOLDER,
        Role.TREASURER,
        Role.RECEIVER,
        Role.AGENCY_ADMIN,
    }
)
# the signatory's title on a document, by role
ROLE_TITLES = {
    Role.COMMITMENT_OFFICIAL: gettext_lazy("Pejabat Pembuat Komitmen"),
    Role.RECEIVER: gettext_lazy("Penerima Barang"),
    Role.TREASURER: gettext_lazy("Bendahara Pengeluaran"),
    Role.REQUESTER: gettext_lazy("Pemohon / PPTK"),
}


@dataclass(frozen=True)
class Due:
    """One document an order is due: its kind and the handover or payment it belongs to."""

    kind: str
    receipt: GoodsReceipt | None = None
    payment: OfficialPayment | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, getattr(self.receipt, "pk", None), getattr(self.payment, "pk", None))


@dataclass(frozen=True)
class Signatory:
    """A person who signs: name, NIP (civil servants) and title as printed under the signature."""

    title: str
    name: str
    nip: str = ""
    organisation: str = ""


def order_contract_quote(*, order, on: date | None = None) -> TaxQuote:
    """The taxes, band and meterai of ``order`` as ordered (every line in full), on the day it was placed.

    The contract document is made before anything arrives, so it stands on what was ordered;
    the payment's own quote (selectors_fulfilment.order_tax_quote) stands on what was accepted.
    """
    on = on or timezone.localdate(order.date_placed)
    requisition = fulfilment.official_order_requisition(order)
    whole_need = (
        fulfilment.split_purchase_need(requisition=requisition, seller_id=order.seller_id)
        if requisition
        else None
    )
    lines = [
        TaxLine(
            kind=SupplyKind(fulfilment.product_supply_kind(line.product)),
            price=int(line.unit_price_incl_tax * line.quantity),
        )
        for line in order.lines.select_related("product").order_by("pk")
    ]
    return tax_quote(
        seller=fulfilment.seller_tax_facts(seller=order.seller, on=on),
        lines=lines,
        split=whole_need is not None,
        whole_need_total=whole_need,
        channel=Channel(settings.PEKEN_PROCUREMENT_CHANNEL),
    )


def order_contract_kind(*, order, quote: TaxQuote | None = None) -> str:
    """The DocumentKind of ``order``'s contract document by its band (KUITANSI: the payment's kuitansi)."""
    quote = quote or order_contract_quote(order=order)
    return DocumentKind(quote.contract_document.value)


def documents_due(*, order) -> list[Due]:
    """Every document ``order`` is due now, issued or not, in the order they are issued."""
    due = []
    if order.status in ACCEPTED_STATES:
        kind = order_contract_kind(order=order)
        if kind != DocumentKind.KUITANSI:
            due.append(Due(kind=kind))
    receipts = GoodsReceipt.objects.filter(order=order).order_by("seq")
    due += [Due(kind=DocumentKind.BAST, receipt=receipt) for receipt in receipts]
    payment = fulfilment.order_payment(order=order)
    if payment is not None and payment.status == OfficialPaymentStatus.PAID:
        due += [
            Due(kind=DocumentKind.KUITANSI, payment=payment),
            Due(kind=DocumentKind.TAX_SUMMARY, payment=payment),
        ]
    return due


def document_existing(*, order, due: Due) -> OfficialDocument | None:
    """The issued document ``due`` names, if any (the keys of OfficialDocument's unique constraints)."""
    documents = OfficialDocument.objects.defer("content").filter(order=order, kind=due.kind)
    if due.receipt is not None:
        return documents.filter(receipt=due.receipt).first()
    if due.payment is not None:
        return documents.filter(payment=due.payment).first()
    return documents.filter(receipt__isnull=True, payment__isnull=True).first()


def issued_keys(*, order) -> set[tuple]:
    return set(OfficialDocument.objects.filter(order=order).values_list("kind", "receipt_id", "payment_id"))


def order_documents(*, order) -> QuerySet:
    """The documents issued for ``order``, oldest first, without their PDF bytes."""
    return OfficialDocument.objects.defer("content").filter(order=order).order_by("date_issued", "pk")


def requisition_documents(*, requisition) -> QuerySet:
    return (
        OfficialDocument.objects.defer("content")
        .filter(requisition=requisition)
        .select_related("order")
        .order_by("order", "date_issued", "pk")
    )


def document_readable(*, user, document: OfficialDocument) -> bool:
    """Whether ``user`` may download ``document``.

    Its requester; the purchase's agency's approvers, PPK, receivers, treasurers and admins;
    auditors (city-wide); and the people of the seller's shop. Nobody else, signed in or not.
    """
    if not user.is_authenticated:
        return False
    requisition = document.requisition
    if user.pk == requisition.requester_id:
        return True
    memberships = Membership.objects.filter(user=user)
    if memberships.filter(role=Role.AUDITOR).exists():
        return True
    if memberships.filter(agency_id=requisition.agency_id, role__in=AGENCY_READERS).exists():
        return True
    return document.order.seller.users.filter(pk=user.pk).exists()


def document_by_code(code: str, *, content: bool = False) -> OfficialDocument | None:
    """The document whose public code is ``code`` (case and the dashes people type ignored).

    Its PDF bytes are read only when ``content`` is asked for (the download).
    """
    code = code.strip().upper().replace("-", "").replace(" ", "")
    documents = OfficialDocument.objects.select_related("agency", "requisition", "order__seller")
    if not content:
        documents = documents.defer("content")
    return documents.filter(code=code).first()


def _nip(*, user, agency_id: int, role: str) -> str:
    """The NIP ``user`` has on their ``role`` membership of the agency, else on any of their roles there."""
    rows = list(
        Membership.objects.filter(user=user, agency_id=agency_id).exclude(nip="").values_list("role", "nip")
    )
    for held, nip in rows:
        if held == role:
            return nip
    return rows[0][1] if rows else ""


def person_signatory(*, user, agency_id: int, role: str, title: str = "") -> Signatory:
    return Signatory(
        title=title or str(ROLE_TITLES.get(role, Role(role).label)),
        name=user.get_full_name() or user.email,
        nip=_nip(user=user, agency_id=agency_id, role=role),
    )


def requisition_ppk(*, requisition: Requisition):
    """The PPK of a purchase: the one who approved it if a PPK did, else the agency's first PPK; or None."""
    decision = (
        ApprovalDecision.objects.filter(
            requisition=requisition, role=Role.COMMITMENT_OFFICIAL, decision=Decision.APPROVE
        )
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    if decision is not None:
        return decision.actor
    membership = (
        Membership.objects.filter(agency_id=requisition.agency_id, role=Role.COMMITMENT_OFFICIAL)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def ppk_signatory(*, requisition: Requisition) -> Signatory:
    user = requisition_ppk(requisition=requisition)
    if user is None:
        return Signatory(title=str(ROLE_TITLES[Role.COMMITMENT_OFFICIAL]), name="")
    return person_signatory(user=user, agency_id=requisition.agency_id, role=Role.COMMITMENT_OFFICIAL)


def seller_signatory(*, seller) -> Signatory:
    owner = seller.owner_name
    if not owner:
        user = seller.users.order_by("pk").first()
        owner = (user.get_full_name() if user else "") or seller.name
    return Signatory(title=_("Penyedia"), name=owner, organisation=seller.name)


def seller_address(seller) -> str:
    """The shop's address on one line, from its first partner address ("" when it has none)."""
    address = seller.addresses.order_by("pk").first()
    if address is None:
        return ""
    parts = [address.line1, address.line2, address.line3, address.line4, address.state, address.postcode]
    return ", ".join(p for p in parts if p)
