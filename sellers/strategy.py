from oscar.apps.partner import strategy
from oscar.apps.partner.availability import Unavailable

from catalogue_ext.abstract_models import LISTING_ON_SALE
from sellers.abstract_models import SellerStatus
from sellers.availability import MinimumQuantity


class SellerOnSale:
    """Availability mixin: nothing can be bought from a shop that is pending, rejected or suspended,
    nor a listing that curation holds or rejected.

    Listings already leave such shops and products out; this also stops a
    basket line added before a suspension or a rejection from reaching checkout.
    """

    def availability_policy(self, product, stockrecord):
        if stockrecord is not None and stockrecord.partner.status != SellerStatus.ACTIVE:
            return Unavailable()
        if getattr(product, "listing_status", None) not in (None, *LISTING_ON_SALE):
            return Unavailable()
        return super().availability_policy(product, stockrecord)


class MinimumOrderQuantity:
    """Availability mixin: enforce each listing's minimum order quantity.

    Oscar asks the strategy on add-to-basket, on basket changes and again at
    checkout, so the rule holds on every path to an order.
    """

    def availability_policy(self, product, stockrecord):
        policy = super().availability_policy(product, stockrecord)
        minimum = getattr(product, "min_order_quantity", 1) or 1
        if minimum <= 1:
            return policy
        return MinimumQuantity(policy, minimum=minimum, unit=product.get_unit_display())


class Default(
    strategy.UseFirstStockRecord,
    SellerOnSale,
    MinimumOrderQuantity,
    strategy.StockRequired,
    strategy.NoTax,  # shelf prices in Indonesia already include PPN
    strategy.Structured,
):
    pass


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)
