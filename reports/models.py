"""The reports' own summaries: written by reports.services only, read by the selectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue_ext.abstract_models import SupplyKind


class SpendShare(models.Model):
    """One accepted order line's share of its paid official payment's gross (reports.spend says how).

    Written once per paid payment by reports.services.spend_shares_split and never changed: a
    paid payment is final and its order was received in full before it was paid. The agency,
    unit, seller and date are the payment's, copied so the spend report reads one table; the
    category and kind are the line's product's as they stood when the payment was split.
    """

    # read by whole periods, not by one of these: no index of their own (the pair is unique)
    payment = models.ForeignKey(
        "procurement.OfficialPayment", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    line = models.ForeignKey("order.Line", on_delete=models.CASCADE, related_name="+", db_index=False)
    paid_on = models.DateField(_("Tanggal bayar"))
    agency = models.ForeignKey(
        "procurement.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "procurement.Unit", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    seller = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(
        "catalogue.Category", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=SupplyKind.choices)
    amount = models.DecimalField(max_digits=15, decimal_places=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["payment", "line"], name="spend_share_once")]
        # a city's month, and one agency's year
        indexes = [
            models.Index(fields=["paid_on", "agency"], name="spend_share_paid_on"),
            models.Index(fields=["agency", "paid_on"], name="spend_share_agency"),
        ]

    def __str__(self):
        return f"{self.payment_id}/{self.line_id}: {self.amount}"


class SpendPayment(models.Model):
    """A paid official payment as the spend report reads it, written when it is split into shares.

    Its agency, unit, seller, date and gross are the payment's; approved_on is its requisition's
    approval (Jakarta date), received_on its order's last handover (BAST); goods and the three
    services are the sums of its shares by kind (all four add up to the gross unless nothing was
    accepted). A paid payment is final, so none of these changes once written.
    """

    payment = models.OneToOneField(
        "procurement.OfficialPayment", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    paid_on = models.DateField(_("Tanggal bayar"))
    agency = models.ForeignKey(
        "procurement.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "procurement.Unit", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    seller = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="+", db_index=False)
    gross = models.DecimalField(max_digits=15, decimal_places=0)
    approved_on = models.DateField(null=True)
    received_on = models.DateField(null=True)
    goods = models.DecimalField(max_digits=15, decimal_places=0)
    catering = models.DecimalField(max_digits=15, decimal_places=0)
    printing = models.DecimalField(max_digits=15, decimal_places=0)
    other_service = models.DecimalField(max_digits=15, decimal_places=0)
    date_split = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["paid_on", "agency"], name="spend_payment_paid_on")]

    def __str__(self):
        return f"{self.payment_id}: {self.gross}"
