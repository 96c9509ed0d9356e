"""What the Rekomendasi ordering knows about each shop, refreshed by a Celery beat task."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SellerActivity(models.Model):
    """How many orders a shop received in the recent window (settings.PEKEN_RECOMMENDED_WINDOW_DAYS).

    A counter, rewritten as a whole by exposure.services.seller_activity_refresh,
    so listings read one small row per shop instead of counting order lines.
    A shop without a row (registered since the last refresh) counts as none.
    """

    seller = models.OneToOneField("partner.Partner", primary_key=True, on_delete=models.CASCADE,
                                  related_name="activity")
    recent_orders = models.PositiveIntegerField(_("Pesanan dalam periode"), default=0)
    date_refreshed = models.DateTimeField(_("Dihitung"))

    class Meta:
        verbose_name = _("Aktivitas penjual")
        verbose_name_plural = _("Aktivitas penjual")

    def __str__(self):
        return f"{self.seller_id}: {self.recent_orders}"
