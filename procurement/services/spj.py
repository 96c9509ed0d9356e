"""The SPJ bundle: one ZIP with every document of a requisition, or of an agency's month, and an index.

The ZIP holds each OfficialDocument's PDF as issued, in a folder per order and named after its
number, and the index of payments, taxes and documents twice: as CSV files and as one XLSX
with a sheet each (peken/exports.py, so no cell runs as a formula). A bundle of more than
settings.PEKEN_SPJ_BACKGROUND_DOCUMENTS documents is built by a Celery worker
(procurement.tasks.spj_bundle_build) while its page shows ``done`` of ``total``; a smaller one
is built at once. Its status moves only through _bundle_move (BUNDLE_TRANSITIONS).
"""

import io
import logging
import re
import zipfile

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken import locks
from peken.exports import csv_text, xlsx_bytes
from procurement import selectors_spj as spj
from procurement import tasks
from procurement.audit import audit_record
from procurement.models import Agency, OfficialDocument, Requisition, SpjBundle
from procurement.services._common import ProcurementError
from procurement.statuses import BUNDLE_TRANSITIONS, BundleStatus

logger = logging.getLogger(__name__)

UNFINISHED = (BundleStatus.QUEUED, BundleStatus.RUNNING)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class SpjRefused(ProcurementError):
    pass


def _bundle_move(bundle: SpjBundle, *, to: str, **fields) -> None:
    """The one place a bundle's status is set: refuses a move BUNDLE_TRANSITIONS does not allow."""
    if to not in BUNDLE_TRANSITIONS[bundle.status]:
        raise SpjRefused(
            _("Berkas SPJ %(pk)s berstatus %(status)s.")
            % {"pk": bundle.pk, "status": bundle.get_status_display()}
        )
    fields["status"] = to
    if to in (BundleStatus.DONE, BundleStatus.FAILED):
        fields["date_done"] = timezone.now()
    for name, value in fields.items():
        setattr(bundle, name, value)
    bundle.save(update_fields=list(fields))


def _file_name(*, agency: Agency, requisition: Requisition | None, period: spj.Period | None) -> str:
    scope = requisition.reference if requisition else period.key
    return SAFE_NAME.sub("-", f"spj-{agency.code}-{scope}") + ".zip"


def spj_bundle_request(
    *,
    agency: Agency,
    actor,
    requisition: Requisition | None = None,
    period: spj.Period | None = None,
    ip: str | None = None,
) -> SpjBundle:
    """Ask for the SPJ of one requisition, or of the agency's month: build it now, or queue it.

    Exactly one of ``requisition`` (the agency's) and ``period``. Who may ask is who may read the
    agency's money month (selectors_spj.spj_agencies). Asking again while the same bundle is
    still being built returns that one; each request is an audit entry. Above
    PEKEN_SPJ_BACKGROUND_DOCUMENTS documents a worker builds it after commit. Raises SpjRefused.
    """
    if (requisition is None) == (period is None):
        raise SpjRefused(_("Pilih satu permintaan atau satu bulan untuk SPJ."))
    if requisition is not None and requisition.agency_id != agency.pk:
        raise SpjRefused(
            _("Permintaan %(ref)s bukan milik %(agency)s.") % {"ref": requisition, "agency": agency}
        )
    if not spj.spj_readable(user=actor, agency=agency):
        raise SpjRefused(
            _("SPJ %(agency)s disusun oleh bendahara, PA/KPA, admin OPD, atau auditor.") % {"agency": agency}
        )
    scope = (
        {"requisition": requisition}
        if requisition
        else {"requisition": None, "period_year": period.year, "period_month": period.month}
    )
    with transaction.atomic():
        locks.agency_lock(agency_id=agency.pk)  # two requests at once: one bundle
        bundle = SpjBundle.objects.filter(agency=agency, status__in=UNFINISHED, **scope).first()
        if bundle is not None:
            return bundle
        total = spj.scope_documents(
            agency_id=agency.pk, requisition_id=getattr(requisition, "pk", None), period=period
        ).count()
        bundle = SpjBundle.objects.create(
            agency=agency,
            requested_by=actor,
            total=total,
            file_name=_file_name(agency=agency, requisition=requisition, period=period),
            **scope,
        )
        audit_record(
            actor=actor,
            action="spj.request",
            obj=bundle,
            after={
                "agency": agency.code,
                "requisition": requisition.reference if requisition else None,
                "period": period.key if period else None,
                "documents": total,
                "background": total > settings.PEKEN_SPJ_BACKGROUND_DOCUMENTS,
            },
            ip=ip,
            requisition=requisition,
        )
        if total > settings.PEKEN_SPJ_BACKGROUND_DOCUMENTS:
            transaction.on_commit(lambda: tasks.spj_bundle_build.delay(bundle.pk))
            return bundle
    return spj_bundle_build(bundle_id=bundle.pk)


PAYMENT_HEADER = (
    gettext_lazy("Pesanan"),
    gettext_lazy("Penjual"),
    gettext_lazy("Cara bayar"),
    gettext_lazy("Tanggal bayar"),
    gettext_lazy("Total tagihan"),
    gettext_lazy("Dipotong/dipungut"),
    gettext_lazy("Dibayar ke penjual"),
)
TAX_HEADER = (
    gettext_lazy("Pesanan"),
    gettext_lazy("Jenis pajak"),
    gettext_lazy("Kode objek pajak"),
    gettext_lazy("DPP"),
    gettext_lazy("Tarif (%)"),
    gettext_lazy("Jumlah"),
    gettext_lazy("NTPN setoran"),
)
DOCUMENT_HEADER = (
    gettext_lazy("Pesanan"),
    gettext_lazy("Jenis"),
    gettext_lazy("Nomor"),
    gettext_lazy("Tanggal"),
    gettext_lazy("SHA-256"),
    gettext_lazy("Berkas"),
)


def document_path(document: OfficialDocument) -> str:
    """Where a document sits in the ZIP: its order's folder, its number with slashes made dashes."""
    number = SAFE_NAME.sub("-", document.number.replace("/", "-")).strip("-") or str(document.pk)
    return f"{SAFE_NAME.sub('-', document.order.number)}/{number}.pdf"


def bundle_index(*, bundle: SpjBundle) -> list[tuple[str, str, list[str], list]]:
    """The index's three tables (file name, sheet title, header, rows): payments, taxes, documents."""
    payments = [
        [
            p.order.number,
            p.order.seller.name,
            p.get_method_display(),
            p.paid_on,
            p.gross,
            p.withheld,
            p.net,
        ]
        for p in spj.bundle_payments(bundle=bundle)
    ]
    taxes = [
        [
            w.payment.order.number,
            w.get_tax_display(),
            w.object_code,
            w.base,
            w.rate_percent.normalize(),
            w.amount,
            w.deposit.ntpn if w.deposit else "",
        ]
        for w in spj.bundle_withholdings(bundle=bundle)
    ]
    documents = [
        [
            d.order.number,
            d.get_kind_display(),
            d.number,
            timezone.localdate(d.date_issued),
            d.sha256,
            document_path(d),
        ]
        for d in spj.bundle_documents(bundle=bundle)
    ]
    return [
        ("pembayaran", _("Pembayaran"), [str(h) for h in PAYMENT_HEADER], payments),
        ("pajak", _("Pajak"), [str(h) for h in TAX_HEADER], taxes),
        ("dokumen", _("Dokumen"), [str(h) for h in DOCUMENT_HEADER], documents),
    ]


def _zip_build(bundle: SpjBundle) -> tuple[bytes, int]:
    """The ZIP's bytes and how many documents it holds; ``done`` is written after each one for the page."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        done = 0
        documents = spj.bundle_documents(bundle=bundle).defer(None).select_related("order")
        for document in documents.iterator(chunk_size=20):
            archive.writestr(document_path(document), bytes(document.content))
            done += 1
            SpjBundle.objects.filter(pk=bundle.pk).update(done=done)
        tables = bundle_index(bundle=bundle)
        for name, _title, header, rows in tables:
            archive.writestr(f"indeks-{name}.csv", csv_text(header=header, rows=rows))
        archive.writestr("indeks.xlsx", xlsx_bytes(sheets=[table[1:] for table in tables]))
    return buffer.getvalue(), done


def _bundle_fail(bundle_id: int, message: str) -> SpjBundle:
    with transaction.atomic():
        bundle = SpjBundle.objects.select_for_update().get(pk=bundle_id)
        if bundle.status in UNFINISHED:
            _bundle_move(bundle, to=BundleStatus.FAILED, error=message)
    return bundle


def spj_bundle_build(*, bundle_id: int) -> SpjBundle:
    """Build a queued bundle's ZIP and store it; the bundle moves queued -> running -> done.

    Safe to run again (a task redelivered): a finished bundle is returned as it is, one left
    running by a worker that died is built again from its first document. The ZIP is stored
    and the bundle marked done under its row lock, once. An error fails the bundle (logged);
    the person asks for a new one.
    """
    with transaction.atomic():
        bundle = SpjBundle.objects.select_for_update().get(pk=bundle_id)
        if bundle.status not in UNFINISHED:
            return bundle
        total = spj.bundle_documents(bundle=bundle).count()
        if bundle.status == BundleStatus.QUEUED:
            _bundle_move(bundle, to=BundleStatus.RUNNING, done=0, total=total)
        else:
            SpjBundle.objects.filter(pk=bundle.pk).update(done=0, total=total)
    try:
        content, done = _zip_build(bundle)
    except Exception:
        logger.exception("SPJ bundle %s failed", bundle_id)
        return _bundle_fail(
            bundle_id, _("Berkas SPJ gagal disusun. Minta ulang, atau hubungi pengelola Peken.")
        )
    with transaction.atomic():
        bundle = SpjBundle.objects.select_for_update().get(pk=bundle_id)
        if bundle.status == BundleStatus.RUNNING:
            _bundle_move(bundle, to=BundleStatus.DONE, content=content, done=done, total=done)
    return bundle
