"""A buyer's own orders and where each stands (read only: a buyer's moves stay on the order page)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from oscar.core.loading import get_model
from rest_framework import generics

from api.models import Scope
from api.serializers_buyer import BuyerOrderDetailSerializer, BuyerOrderSerializer

Order = get_model("order", "Order")


class OwnOrders:
    required_scope = Scope.READ

    def get_queryset(self):
        # the order history page's rule: the orders placed by this user, newest first
        return (
            Order.objects.filter(user=self.request.user)
            .select_related("seller")
            .order_by("-date_placed", "-pk")
        )


@extend_schema(tags=["buyer"])
class BuyerOrderList(OwnOrders, generics.ListAPIView):
    """The caller's own orders, newest first, with their status."""

    serializer_class = BuyerOrderSerializer


@extend_schema(tags=["buyer"])
class BuyerOrderDetail(OwnOrders, generics.RetrieveAPIView):
    """One of the caller's orders with its lines and status history; another person's order is 404."""

    serializer_class = BuyerOrderDetailSerializer
    lookup_field = "number"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("lines", "status_changes")


urls = [
    path("orders/", BuyerOrderList.as_view(), name="buyer-orders"),
    path("orders/<str:number>/", BuyerOrderDetail.as_view(), name="buyer-order"),
]
