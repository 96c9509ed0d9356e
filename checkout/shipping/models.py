from checkout.shipping.abstract_models import AbstractSellerDelivery


class SellerDelivery(AbstractSellerDelivery):
    pass


from oscar.apps.shipping.models import *  # noqa: E402, F403
