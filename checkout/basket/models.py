import copy

from oscar.apps.basket.abstract_models import AbstractBasket
from oscar.apps.offer.results import OfferApplications


class SellerLines(list):
    """One seller's lines of a basket, standing in for the queryset Oscar counts with ``.count()``."""

    def count(self, *args) -> int:
        return super().count(*args) if args else len(self)


class Basket(AbstractBasket):
    def all_lines(self):
        """The basket's lines with what pricing, stock checks and order placement read.

        Oscar's version loads each line's product class and stock records one
        query at a time; here they come in the same few queries whatever the
        number of lines.
        """
        if self.id is None:
            return self.lines.model.objects.none()
        if self._lines is None:
            self._lines = (
                self.lines.select_related(
                    "product__product_class",
                    "stockrecord__partner",
                    "stockrecord__product__product_class",
                )
                .prefetch_related("attributes", "product__images", "product__stockrecords__partner")
                .order_by(self._meta.pk.name)
            )
        return self._lines

    def seller_parts(self) -> list["Basket"]:
        """The basket cut into one part per seller, in the order their goods were added.

        Each part is this basket (same id, strategy and owner) seeing only one
        seller's lines, so Oscar's order creation writes one order per seller.
        Offers are not split; Peken runs none, and a part carries none.
        """
        by_seller: dict[int, SellerLines] = {}
        for line in self.all_lines():
            by_seller.setdefault(line.stockrecord.partner_id, SellerLines()).append(line)
        parts = []
        for lines in by_seller.values():
            part = copy.copy(self)
            part._lines = lines
            part.offer_applications = OfferApplications()
            part.seller = lines[0].stockrecord.partner
            parts.append(part)
        return parts


from oscar.apps.basket.models import *  # noqa: E402, F403
