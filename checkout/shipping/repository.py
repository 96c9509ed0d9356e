from oscar.apps.shipping import repository
from oscar.core.loading import get_class

from checkout.shipping.selectors import basket_shipping

CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")


class Repository(repository.Repository):
    """One shipping method per checkout, holding each seller's own choice (pickup until chosen)."""

    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        request = kwargs.get("request")
        chosen = CheckoutSessionData(request).seller_shipping() if request is not None else {}
        return [basket_shipping(basket=basket, shipping_address=shipping_addr, chosen=chosen)]
