"""What the Rekomendasi ordering knows about each shop, refreshed by a Celery beat task."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SellerActivity(models.Model):
    """How many orders a shop received in the recent window (settings.PEKEN_RECOMMENDED_WINDOW_DAYS).

    A counter, rewritten as a whole by exposure.services.seller_activity_refresh,
    so listings read one small row per shop instead of counting order lines.
    A shop without a row (registered since the last refresh) counts as none.
    """

    seller = models.OneToOneField(
        "partner.Partner", primary_key=True, on_delete=models.CASCADE, related_name="activity"
    )
    recent_orders = models.PositiveIntegerField(_("Pesanan dalam periode"), default=0)
    date_refreshed = models.DateTimeField(_("Dihitung"))

    class Meta:
        verbose_name = _("Aktivitas penjual")
        verbose_name_plural = _("Aktivitas penjual")

    def __str__(self):
        return f"{self.seller_id}: {self.recent_orders}"


class RecommendedRank(models.Model):
    """One product's place in a listing's Rekomendasi order, as the last refresh ranked it.

    Written as a whole per listing by exposure.services.recommended_rank_write
    (scheduled by Celery beat), so a request reads its page by ``position``
    instead of ranking the listing. ``round``, ``quiet`` and ``k`` (the place
    within its side of the round, for a visitor without a kecamatan) and
    ``local_k`` (the place among the side's goods of shops in the same
    kecamatan) let a signed-in buyer's page, local goods first within each
    side, be read from a few index ranges (exposure.selectors).
    """

    # A category's id, or 0 (exposure.selectors.CATALOGUE_LISTING) for the whole catalogue.
    listing = models.PositiveIntegerField()
    position = models.PositiveIntegerField()
    # Not a foreign key: a row outlives its product until the next refresh, and
    # pages fetch their products through the current listing anyway.
    product_id = models.PositiveIntegerField()
    round = models.PositiveIntegerField()
    quiet = models.BooleanField()
    k = models.PositiveIntegerField()
    seller_kecamatan = models.CharField(max_length=64, blank=True)
    local_k = models.PositiveIntegerField()

    class Meta:
        # No verbose names: a derived table no one edits, kept out of the admin.
        indexes = [
            models.Index(fields=["listing", "position"], name="exposure_rank_position"),
            models.Index(fields=["listing", "round", "quiet", "k"], name="exposure_rank_side"),
            models.Index(
                fields=["listing", "round", "quiet", "seller_kecamatan", "local_k"],
                name="exposure_rank_local",
            ),
        ]

    def __str__(self):
        return f"{self.listing}#{self.position}: {self.product_id}"


class RecommendedListingRanked(models.Model):
    """A listing the Rekomendasi table covers: when it was last ranked and how many products it held."""

    listing = models.PositiveIntegerField(primary_key=True)
    size = models.PositiveIntegerField()
    date_refreshed = models.DateTimeField()

    def __str__(self):
        return f"{self.listing}: {self.size}"
