from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.availability import Base


class MinimumQuantity(Base):
    """Wraps a stock policy: a listing may only be bought from its minimum quantity.

    The product still counts as available to buy (so it is listed and can be
    added at the minimum); only a smaller quantity is refused, with the reason.
    """

    def __init__(self, inner: Base, *, minimum: int, unit: str):
        self.inner = inner
        self.minimum = minimum
        self.unit = unit
        self.code = inner.code
        self.message = inner.message
        self.dispatch_date = inner.dispatch_date

    @property
    def short_message(self):
        return self.inner.short_message

    @property
    def is_available_to_buy(self):
        return self.inner.is_purchase_permitted(self.minimum)[0]

    def is_purchase_permitted(self, quantity):
        if quantity < self.minimum:
            return False, _("Pembelian minimal %(minimum)d %(unit)s.") % {
                "minimum": self.minimum,
                "unit": self.unit,
            }
        return self.inner.is_purchase_permitted(quantity)
