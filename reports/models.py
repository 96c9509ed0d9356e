"""The reports' own summaries: narrow copies of the rows the reports sum, kept by the database.

Nothing in Python writes these tables. Triggers (migrations 0001) keep them in step with the
rows they summarise, in the same transaction as every write, whatever wrote it (the services,
the admin, the synthetic data's COPY): a report read from them is exactly what the raw rows
give at that moment, with no lag.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


def _ref(to: str, **kwargs) -> models.ForeignKey:
    # the triggers keep these in step (and drop a row with its payment): no constraint, no cascade
    return models.ForeignKey(to, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", **kwargs)


class PaidPayment(models.Model):
    """One paid official payment (status PAID) with what the reports group and filter it by.

    The agency, unit and budget line are its requisition's, the seller its order's, as they are
    now (the triggers follow a change to any of them). Budget realisation, the UMKM share and
    spend read these instead of joining each payment to its requisition and order.
    """

    payment = models.OneToOneField(
        "procurement.OfficialPayment",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    requisition = _ref("procurement.Requisition", db_index=False)
    order = _ref("order.Order", db_index=False)
    agency = models.ForeignKey(
        "procurement.Agency",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="paid_payments",
    )
    unit = _ref("procurement.Unit", null=True, db_index=False)
    budget_line = _ref("procurement.BudgetLine", db_index=False)
    seller = _ref("partner.Partner", null=True, db_index=False)
    paid_on = models.DateField(_("Tanggal bayar"))
    gross = models.DecimalField(_("Bruto"), max_digits=15, decimal_places=0)

    class Meta:
        verbose_name = _("pembayaran lunas (ringkasan laporan)")
        verbose_name_plural = _("pembayaran lunas (ringkasan laporan)")
        indexes = [
            # per agency and period (the city's rows), per budget line and period (an agency's rows),
            # and the city by period; each carries what the sums need, so none reads the table
            models.Index(
                fields=["agency", "paid_on"],
                include=["gross", "budget_line", "seller", "unit"],
                name="report_paid_agency",
            ),
            models.Index(
                fields=["budget_line", "paid_on"],
                include=["gross", "seller", "unit"],
                name="report_paid_line",
            ),
            models.Index(
                fields=["paid_on"],
                include=["gross", "agency", "budget_line", "seller", "unit"],
                name="report_paid_on",
            ),
            models.Index(fields=["requisition"], name="report_paid_requisition"),
            models.Index(fields=["order"], name="report_paid_order"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.gross} ({self.paid_on})"
