"""How each seller hands over goods: pickup, its own delivery, and its fees."""

from django.db import models
from django.utils.translation import gettext_lazy as _

FEE = {"max_digits": 10, "decimal_places": 0, "null": True, "blank": True}


class AbstractSellerDelivery(models.Model):
    """A seller's delivery terms. An empty fee means the seller does not deliver that far.

    Pickup at the shop is always offered and free. Delivery inside the
    seller's own kecamatan has one fee; delivery to other kecamatan is priced
    by distance band between the kecamatan centres (PEKEN_DELIVERY_BANDS_KM).
    """

    seller = models.OneToOneField(
        "partner.Partner", on_delete=models.CASCADE, related_name="delivery", verbose_name=_("Penjual")
    )
    local_fee = models.DecimalField(_("Ongkir dalam kecamatan (Rp)"), **FEE)
    near_fee = models.DecimalField(_("Ongkir jarak dekat (Rp)"), **FEE)
    middle_fee = models.DecimalField(_("Ongkir jarak menengah (Rp)"), **FEE)
    far_fee = models.DecimalField(_("Ongkir jarak jauh (Rp)"), **FEE)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        app_label = "shipping"
        verbose_name = _("Ketentuan pengiriman penjual")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(local_fee__gte=0) | models.Q(local_fee__isnull=True))
                & (models.Q(near_fee__gte=0) | models.Q(near_fee__isnull=True))
                & (models.Q(middle_fee__gte=0) | models.Q(middle_fee__isnull=True))
                & (models.Q(far_fee__gte=0) | models.Q(far_fee__isnull=True)),
                name="seller_delivery_fees_not_negative",
            ),
        ]

    def __str__(self):
        return str(self.seller)
