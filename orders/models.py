from orders.abstract_models import AbstractSellerOrder, AbstractStatusChange


class Order(AbstractSellerOrder):
    pass


class OrderStatusChange(AbstractStatusChange):
    pass


from oscar.apps.order.models import *  # noqa: E402, F403
