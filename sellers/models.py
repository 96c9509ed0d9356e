from sellers.abstract_models import AbstractSeller, AbstractSellerDecision


class Partner(AbstractSeller):
    pass


class SellerDecision(AbstractSellerDecision):
    pass


from oscar.apps.partner.models import *  # noqa: E402, F403
