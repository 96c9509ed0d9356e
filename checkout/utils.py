from oscar.apps.checkout import utils

from checkout.shipping.methods import PER_SELLER


class CheckoutSessionData(utils.CheckoutSessionData):
    """Oscar's checkout session, plus each seller's shipping choice."""

    def seller_shipping(self) -> dict[int, str]:
        return {int(seller): code for seller, code in (self._get("shipping", "per_seller") or {}).items()}

    def choose_seller_shipping(self, choices: dict[int, str]) -> None:
        self._set("shipping", "per_seller", {str(seller): code for seller, code in choices.items()})
        self.use_shipping_method(PER_SELLER)
