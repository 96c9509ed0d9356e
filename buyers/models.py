from buyers.abstract_models import AbstractBuyerProfile, AbstractBuyerProfileChange


class BuyerProfile(AbstractBuyerProfile):
    pass


class BuyerProfileChange(AbstractBuyerProfileChange):
    pass
