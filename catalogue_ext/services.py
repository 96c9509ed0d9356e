"""Writes about listings: shoppers' reports and how verifiers settle them."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import ReportStatus
from peken.page_cache import page_cache_invalidate

Product = get_model("catalogue", "Product")
ListingReport = get_model("catalogue", "ListingReport")


class ReportError(Exception):
    """A report that cannot be filed or settled as asked."""


def listing_report_file(*, product: Product, reporter: AbstractBaseUser, reason: str,
                        details: str = "") -> ListingReport:
    """File a shopper's report on a listing; a second open report by the same shopper is refused.

    Raises ReportError if this shopper already has an open report on it.
    """
    try:
        with transaction.atomic():
            return ListingReport.objects.create(product=product, reporter=reporter, reason=reason,
                                                details=details.strip())
    except IntegrityError:
        raise ReportError(_("Anda sudah melaporkan produk ini; petugas sedang memeriksanya.")) from None


def listing_report_settle(*, report: ListingReport, actor: AbstractBaseUser, remove: bool,
                          note: str = "") -> ListingReport:
    """Settle a report: dismiss it, or take the product off the storefront.

    Removing settles every open report on the same product and drops the
    shared pages, so the listing disappears at once. Raises ReportError if
    the report was settled already.
    """
    with transaction.atomic():
        report = ListingReport.objects.select_for_update().select_related("product").get(pk=report.pk)
        if report.status != ReportStatus.OPEN:
            raise ReportError(_("Laporan ini sudah ditangani."))
        now = timezone.now()
        if remove:
            Product.objects.filter(pk=report.product_id).update(is_public=False, date_updated=now)
            settled = ListingReport.objects.filter(product_id=report.product_id, status=ReportStatus.OPEN)
            settled.update(status=ReportStatus.REMOVED, handled_by=actor, handling_note=note,
                           date_handled=now)
            transaction.on_commit(page_cache_invalidate)
        else:
            report.status, report.handled_by = ReportStatus.DISMISSED, actor
            report.handling_note, report.date_handled = note, now
            report.save(update_fields=["status", "handled_by", "handling_note", "date_handled"])
        report.refresh_from_db()
    return report
