"""Shipping as Peken sells it: each seller's goods travel on their own terms."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import Base, Free, NoShippingRequired  # noqa: F401
from oscar.core import prices

PICKUP = "ambil-di-toko"
LOCAL = "antar-sekecamatan"
DISTANCE = "antar-jarak"
PER_SELLER = "per-toko"


class SellerShipping(Base):
    """One seller's way of handing over an order, with its fee (no tax on top)."""

    def __init__(self, *, seller_id: int, code: str, name: str, fee: Decimal, description: str = ""):
        self.seller_id = seller_id
        self.code = code
        self.name = name
        self.fee = fee
        self.description = description

    def calculate(self, basket):
        return prices.Price(currency=basket.currency, excl_tax=self.fee, tax=Decimal(0))

    @property
    def is_delivery(self) -> bool:
        return self.code != PICKUP


class PerSellerShipping(Base):
    """The checkout's shipping: each seller's chosen way, charged together.

    Oscar keeps one shipping method per checkout; this one holds the choice of
    every seller in the basket, and order placement asks it for each seller's
    part (``for_seller``) when it writes one order per seller.
    """

    code = PER_SELLER
    name = _("Dipilih per toko")

    def __init__(self, choices: dict[int, SellerShipping], unchosen: list[int] | None = None):
        self.choices = choices
        self.unchosen = unchosen or []  # sellers whose way the shopper has not chosen (yet)

    def for_seller(self, seller_id: int) -> SellerShipping:
        return self.choices[seller_id]

    def calculate(self, basket):
        sellers = {line.stockrecord.partner_id for line in basket.all_lines() if line.stockrecord_id}
        fee = sum((self.choices[s].fee for s in sellers if s in self.choices), Decimal(0))
        return prices.Price(currency=basket.currency, excl_tax=fee, tax=Decimal(0))
