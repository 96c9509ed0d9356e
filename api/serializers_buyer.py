"""A buyer's own orders as the order history page shows them."""

from rest_framework import serializers

from api.fields import RupiahField


class OrderLineSerializer(serializers.Serializer):
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = RupiahField(source="unit_price_incl_tax", allow_null=True)
    total = RupiahField(source="line_price_incl_tax")
    product_id = serializers.IntegerField(allow_null=True)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.CharField(source="new_status")
    at = serializers.DateTimeField(source="date_created")


class BuyerOrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    checkout_reference = serializers.CharField()
    placed_at = serializers.DateTimeField(source="date_placed")
    status = serializers.CharField()
    status_label = serializers.CharField()
    shop = serializers.CharField(source="seller.name", allow_null=True, default=None)
    total = RupiahField(source="total_incl_tax")
    shipping = RupiahField(source="shipping_incl_tax")
    pickup = serializers.BooleanField(source="is_pickup")
    paid = serializers.SerializerMethodField()

    def get_paid(self, order) -> bool:
        return order.date_paid is not None


class BuyerOrderDetailSerializer(BuyerOrderSerializer):
    lines = OrderLineSerializer(many=True, source="lines.all")
    history = StatusChangeSerializer(many=True, source="status_changes.all")
