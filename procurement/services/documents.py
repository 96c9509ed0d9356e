"""The documents of an official purchase: numbered without gaps, drawn to PDF, hashed, verifiable.

Which documents an order is due is read from its state (procurement.selectors_documents):
the contract document by band once the seller accepted, a BAST per handover, and once paid a
kuitansi and a tax summary. A purchase in the kuitansi band has one kuitansi only, issued at
payment with the payment's amounts: it is both its contract document and its receipt.

Numbers run per agency, document kind and Jakarta year, ``{prefix}/{seq}/{AGENCY}/{year}``
(prefixes: settings.PEKEN_DOCUMENT_PREFIXES). Each document is issued in a transaction of its
own under its counter's row lock (peken/locks.py): the number is taken, the PDF drawn with it,
the row written and the counter moved together, so a failure anywhere leaves no gap and a
number is never given twice. Issuing again returns nothing new: what exists is looked up under
the same lock, and OfficialDocument's unique constraints refuse a second copy anyway.

The PDF carries a QR code of its public verification page (/verifikasi/<code>/); its SHA-256
is taken of the bytes as drawn, so a changed file no longer matches.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from peken import locks
from procurement import selectors_documents as documents
from procurement import selectors_fulfilment as fulfilment
from procurement.audit import audit_record
from procurement.documents_pdf import pdf_render, qr_data_uri
from procurement.models import OfficialDocument, Requisition
from procurement.selectors_documents import Due
from procurement.statuses import DocumentKind, Role
from procurement.tax import TaxKind

Order = get_model("order", "Order")
User = get_user_model()

# the public code printed under the QR code: no 0/O, 1/I/L to misread; 16 of 31 signs is 79 bits
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
TEMPLATES = {
    DocumentKind.NOTA: "procurement/documents/contract.html",
    DocumentKind.SPK: "procurement/documents/contract.html",
    DocumentKind.SURAT_PERJANJIAN: "procurement/documents/contract.html",
    DocumentKind.SURAT_PESANAN: "procurement/documents/contract.html",
    DocumentKind.BAST: "procurement/documents/bast.html",
    DocumentKind.KUITANSI: "procurement/documents/kuitansi.html",
    DocumentKind.TAX_SUMMARY: "procurement/documents/tax_summary.html",
}
# the documents on which the law puts a Rp10.000 meterai whatever their value
ALWAYS_METERAI = frozenset({DocumentKind.SPK, DocumentKind.SURAT_PERJANJIAN})


def document_number(*, kind: str, seq: int, agency_code: str, year: int) -> str:
    """``KWT/0007/DINKES/2026``: the kind's prefix, the sequence, the agency's code and the year."""
    prefix = settings.PEKEN_DOCUMENT_PREFIXES[kind]
    return f"{prefix}/{seq:04d}/{agency_code.upper()}/{year}"


def document_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_url(code: str) -> str:
    """The absolute address of a document's public verification page, as the QR code holds it."""
    path = reverse("verification:document", kwargs={"code": code})
    return f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}{path}"


def _place(city: str) -> str:
    """Where a document is signed: "Surabaya" of "Pemerintah Kota Surabaya"."""
    for prefix in ("Pemerintah Kota ", "Pemerintah Kabupaten ", "Pemerintah "):
        if city.startswith(prefix):
            return city[len(prefix) :]
    return city


def _common(*, order, requisition: Requisition, kind: str) -> dict:
    seller = order.seller
    city = settings.PEKEN_CITY_NAME
    return {
        "kind": kind,
        "title": DocumentKind(kind).label,
        "city": city,
        "place": _place(city),
        "agency": requisition.agency,
        "requisition": requisition,
        "budget_line": requisition.budget_line,
        "order": order,
        "seller": seller,
        "seller_address": documents.seller_address(seller),
        "seller_signatory": documents.seller_signatory(seller=seller),
        "meterai_amount": settings.PEKEN_METERAI,
    }


def _contract_context(*, order, requisition: Requisition, kind: str) -> tuple[dict, int]:
    quote = documents.order_contract_quote(order=order)
    lines = [
        {
            "title": line.title,
            "quantity": line.quantity,
            "unit_price": line.unit_price_incl_tax,
            "total": line.unit_price_incl_tax * line.quantity,
        }
        for line in order.lines.order_by("pk")
    ]
    requester = requisition.requester
    return {
        "lines": lines,
        "quote": quote,
        "meterai_due": quote.meterai_required or kind in ALWAYS_METERAI,
        "above_limit": quote.above_direct_purchase_limit,
        "direct_limit": settings.PEKEN_VALUE_BANDS[-1],
        "ppk": documents.ppk_signatory(requisition=requisition),
        "requester_signatory": documents.person_signatory(
            user=requester, agency_id=requisition.agency_id, role=Role.REQUESTER
        ),
    }, quote.total_invoice


def _bast_context(*, order, requisition: Requisition, receipt) -> tuple[dict, int]:
    lines, total = [], 0
    for row in receipt.lines.select_related("order_line").order_by("order_line__pk"):
        line = row.order_line
        value = int(line.unit_price_incl_tax * row.quantity_accepted)
        total += value
        lines.append(
            {
                "title": line.title,
                "ordered": line.quantity,
                "received": row.quantity_received,
                "accepted": row.quantity_accepted,
                "rejected": row.quantity_rejected,
                "reason": row.rejection_reason,
                "unit_price": line.unit_price_incl_tax,
                "value": value,
            }
        )
    return {
        "receipt": receipt,
        "lines": lines,
        "accepted_value": total,
        "contract": documents.document_existing(
            order=order, due=Due(kind=documents.order_contract_kind(order=order))
        ),
        "receiver": documents.person_signatory(
            user=receipt.received_by, agency_id=requisition.agency_id, role=receipt.role
        ),
    }, total


def _payment_common(*, order, requisition: Requisition, payment) -> dict:
    progress = fulfilment.order_progress(order=order)
    withholdings = list(payment.withholdings.order_by("pk"))
    return {
        "payment": payment,
        "accepted": [
            {
                "title": p.line.title,
                "quantity": p.accepted,
                "unit_price": p.unit_price,
                "total": p.unit_price * p.accepted,
            }
            for p in progress
            if p.accepted
        ],
        "withholdings": [w for w in withholdings if w.tax != TaxKind.PPN],
        "ppn_withholding": next((w for w in withholdings if w.tax == TaxKind.PPN), None),
        "basts": list(
            documents.order_documents(order=order).filter(kind=DocumentKind.BAST).order_by("receipt__seq")
        ),
        "treasurer": documents.person_signatory(
            user=payment.treasurer, agency_id=requisition.agency_id, role=Role.TREASURER
        ),
        "ppk": documents.ppk_signatory(requisition=requisition),
    }


def _kuitansi_context(*, order, requisition: Requisition, payment) -> tuple[dict, int]:
    contract_kind = documents.order_contract_kind(order=order)
    contract = documents.document_existing(order=order, due=Due(kind=contract_kind))
    return {
        **_payment_common(order=order, requisition=requisition, payment=payment),
        "contract": contract,
        # no contract document of its own: this kuitansi is it (the kuitansi band)
        "is_contract": contract is None,
        "meterai_due": payment.meterai_required,
    }, int(payment.gross)


def _tax_context(*, order, requisition: Requisition, payment) -> tuple[dict, int]:
    return {
        **_payment_common(order=order, requisition=requisition, payment=payment),
        "kuitansi": documents.document_existing(
            order=order, due=Due(kind=DocumentKind.KUITANSI, payment=payment)
        ),
    }, int(payment.gross)


def _context(*, order, requisition: Requisition, due: Due) -> tuple[dict, int]:
    """What the document ``due`` shows, and the total it states."""
    if due.kind == DocumentKind.BAST:
        extra, total = _bast_context(order=order, requisition=requisition, receipt=due.receipt)
    elif due.kind == DocumentKind.KUITANSI and due.payment is not None:
        extra, total = _kuitansi_context(order=order, requisition=requisition, payment=due.payment)
    elif due.kind == DocumentKind.TAX_SUMMARY:
        extra, total = _tax_context(order=order, requisition=requisition, payment=due.payment)
    else:
        extra, total = _contract_context(order=order, requisition=requisition, kind=due.kind)
    return {**_common(order=order, requisition=requisition, kind=due.kind), **extra}, total


def _document_issue(*, order, requisition: Requisition, due: Due, actor) -> tuple[OfficialDocument, bool]:
    """Issue the document ``due`` unless it exists; the document and whether it is new.

    One transaction: the counter's lock (peken/locks.py step 7), the look for an existing copy
    under it, the PDF drawn with its number, the row, the counter moved, the audit entry (last).
    """
    agency = requisition.agency
    year = timezone.localdate().year
    try:
        with transaction.atomic():
            counter = locks.document_counter_lock(agency_id=agency.pk, kind=due.kind, year=year)
            existing = documents.document_existing(order=order, due=due)
            if existing is not None:
                return existing, False
            seq = counter.last + 1
            number = document_number(kind=due.kind, seq=seq, agency_code=agency.code, year=year)
            code = document_code()
            url = verification_url(code)
            now = timezone.now()
            context, total = _context(order=order, requisition=requisition, due=due)
            context |= {
                "number": number,
                "code": code,
                "verification_url": url,
                "qr": qr_data_uri(url),
                "date_issued": timezone.localtime(now),
            }
            content = pdf_render(template_name=TEMPLATES[due.kind], context=context)
            document = OfficialDocument.objects.create(
                kind=due.kind,
                number=number,
                agency=agency,
                year=year,
                seq=seq,
                code=code,
                requisition=requisition,
                order=order,
                receipt=due.receipt,
                payment=due.payment,
                seller_name=order.seller.name,
                total=total,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                issued_by=actor,
                date_issued=now,
            )
            counter.last = seq
            counter.save(update_fields=["last"])
            audit_record(
                actor=actor,
                action="document.issue",
                obj=document,
                after={
                    "number": number,
                    "kind": due.kind,
                    "order": order.number,
                    "receipt": getattr(due.receipt, "seq", None),
                    "total": total,
                    "sha256": document.sha256,
                },
                requisition=requisition,
            )
    except IntegrityError:
        # issued at the same moment under another year's counter (New Year's midnight): that copy stands
        existing = documents.document_existing(order=order, due=due)
        if existing is None:
            raise
        return existing, False
    return document, True


def documents_issue_due(*, order_id: int, actor_id: int | None) -> list[OfficialDocument]:
    """Issue every document the official order ``order_id`` is due and does not have yet; the new ones.

    Safe to run again and at once with itself: each document is issued once (see the module's
    docstring). ``actor_id`` is who caused the issue (the seller accepting, the receiver, the
    treasurer), recorded as its issuer. A personal order has no documents: returns [].
    """
    order = Order.objects.select_related("seller").filter(pk=order_id).first()
    requisition = fulfilment.official_order_requisition(order) if order is not None else None
    if requisition is None:
        return []
    requisition = Requisition.objects.select_related("agency", "budget_line", "requester", "unit").get(
        pk=requisition.pk
    )
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    issued = documents.issued_keys(order=order)
    new = []
    for due in documents.documents_due(order=order):
        if due.key in issued:
            continue
        document, created = _document_issue(order=order, requisition=requisition, due=due, actor=actor)
        if created:
            new.append(document)
    return new
