from sellers.abstract_models import (
    AbstractSeller,
    AbstractSellerDataChange,
    AbstractSellerDecision,
    AbstractSellerRating,
    AbstractStockUpdate,
)


class Partner(AbstractSeller):
    pass


class SellerDecision(AbstractSellerDecision):
    pass


class SellerRating(AbstractSellerRating):
    pass


class StockUpdate(AbstractStockUpdate):
    pass


class SellerDataChange(AbstractSellerDataChange):
    pass


from oscar.apps.partner.models import *  # noqa: E402, F403
