"""What the seller endpoints take and show: a shop's own listings, prices and stock, and orders.

Input is read here only as far as its types go; the rules are the pages' own: a listing
passes the seller centre's ListingForm, a price and stock row the CSV upload's row rule
(sellers.stock_csv.stock_row_problems, applied by the service).
"""

from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import RupiahField
from catalogue_ext.abstract_models import ListingStatus, SaleUnit, SupplyKind
from orders import selectors as order_selectors
from orders.statuses import OrderStatus
from sellers.centre_forms import ListingForm, listing_form_initial


class OwnShopSerializer(serializers.Serializer):
    """A shop the caller works for; ``code`` names it in the other seller URLs."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField(help_text="aktif, menunggu, ditolak, dibekukan")
    status_label = serializers.CharField(source="get_status_display")
    kecamatan = serializers.CharField()


class ListingImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, image) -> str:
        return image.original.url if image.original else ""


class ListingSerializer(serializers.Serializer):
    """One of the shop's listings with its own stock record: what buyers see and where curation stands."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(help_text="as stored: the seller's text, HTML-escaped")
    category = serializers.SerializerMethodField()
    unit = serializers.CharField()
    min_order_quantity = serializers.IntegerField()
    halal_certificate_number = serializers.CharField()
    made_locally = serializers.BooleanField()
    supply_kind = serializers.CharField(help_text="blank: follows the category")
    listing_status = serializers.ChoiceField(choices=ListingStatus.choices)
    listing_status_label = serializers.SerializerMethodField()
    on_sale = serializers.BooleanField(source="listing_on_sale")
    sku = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    stock = serializers.SerializerMethodField()
    reserved = serializers.SerializerMethodField(help_text="taken by open orders")
    images = ListingImageSerializer(many=True, source="images.all")
    url = serializers.SerializerMethodField(help_text="the public page (shown only while on sale)")
    date_updated = serializers.DateTimeField()

    @staticmethod
    def _record(product):
        return product.own_records[0]

    def get_category(self, product) -> int | None:
        category = next(iter(product.categories.all()), None)
        return category.pk if category else None

    def get_listing_status_label(self, product) -> str:
        return ListingStatus(product.listing_status).label if product.listing_status else ""

    def get_sku(self, product) -> str:
        return self._record(product).partner_sku

    @extend_schema_field(RupiahField())
    def get_price(self, product) -> str:
        return str(int(self._record(product).price or 0))

    def get_stock(self, product) -> int:
        return self._record(product).num_in_stock or 0

    def get_reserved(self, product) -> int:
        return self._record(product).num_allocated or 0

    def get_url(self, product) -> str:
        return reverse("catalogue:detail", kwargs={"product_slug": product.slug, "pk": product.pk})


class ListingQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ListingStatus.choices, required=False)
    sku = serializers.CharField(required=False, max_length=128)
    q = serializers.CharField(required=False, max_length=200, help_text="words in the title")


class ListingWriteSerializer(serializers.Serializer):
    """A new listing, or some fields of one: checked by the seller centre's own ListingForm.

    Creating needs every field without a default and at least one picture, so it is sent
    as multipart/form-data; an edit may be JSON and names only what it changes (the rest
    stays as stored). A content change sends the listing back to curation; a price or
    stock change is recorded in the shop's price and stock history.
    """

    title = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    category = serializers.IntegerField(required=False, help_text="a leaf category's id")
    price = RupiahField(required=False, help_text="whole rupiah, above 0", max_digits=15)
    stock = serializers.IntegerField(required=False)
    unit = serializers.ChoiceField(choices=SaleUnit.choices, required=False)
    min_order_quantity = serializers.IntegerField(required=False)
    halal_certificate_number = serializers.CharField(required=False, allow_blank=True)
    made_locally = serializers.BooleanField(required=False)
    supply_kind = serializers.ChoiceField(
        choices=SupplyKind.choices, required=False, allow_blank=True, help_text="blank: follow the category"
    )
    images = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="JPG or PNG; the first is the main one"
    )
    remove_images = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="ids of pictures to delete (edit only)"
    )

    def validate(self, attrs: dict) -> dict:
        """The ListingForm's cleaned_data: the page's rules, on the stored values where an edit is silent."""
        product = self.context.get("product")
        values = {"min_order_quantity": 1, "halal_certificate_number": "", "made_locally": False}
        if product is not None:
            values = listing_form_initial(product=product, record=product.own_records[0])
        values.update({name: value for name, value in attrs.items() if name != "images"})
        if "price" in attrs:
            values["price"] = str(attrs["price"])
        form = ListingForm(
            data=values, files=MultiValueDict({"images": attrs.get("images", [])}), product=product
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    ("non_field_errors" if name == "__all__" else name): list(errors)
                    for name, errors in form.errors.items()
                }
            )
        return form.cleaned_data


class StockRowSerializer(serializers.Serializer):
    """One row of a price and stock sync, as a CSV line has it."""

    sku = serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False)
    price = RupiahField(help_text="whole rupiah, above 0", max_digits=20)
    stock = serializers.IntegerField()

    def to_internal_value(self, data):
        row = super().to_internal_value(data)
        return {**row, "price": int(row["price"])}


class StockRowResultSerializer(serializers.Serializer):
    sku = serializers.CharField()
    price_old = serializers.IntegerField()
    price = serializers.IntegerField()
    stock_old = serializers.IntegerField()
    stock = serializers.IntegerField()
    changed = serializers.BooleanField()
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="what the CSV preview would flag: a price jump, stock below orders",
    )


class StockSyncResultSerializer(serializers.Serializer):
    stock_update = serializers.IntegerField(
        source="update.pk", allow_null=True, help_text="the audit record; null when nothing changed"
    )
    rows_applied = serializers.SerializerMethodField()
    rows = StockRowResultSerializer(many=True)

    def get_rows_applied(self, result) -> int:
        return result.update.rows_applied if result.update else 0


class OrderQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)


class SellerOrderPaymentSerializer(serializers.Serializer):
    method = serializers.CharField(help_text="kartu, bayar-di-tempat, or blank (an official order)")
    label = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    collect = RupiahField(allow_null=True, help_text="to collect at the door or counter")
    refund_amount = RupiahField(allow_null=True)


class OrderSerializer(serializers.Serializer):
    """One of the shop's orders: its status, the moves the shop may make now, its money."""

    number = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    status_label = serializers.CharField()
    moves = serializers.SerializerMethodField(help_text="the statuses the shop may move it to now")
    date_placed = serializers.DateTimeField()
    shipping_method = serializers.CharField()
    pickup = serializers.BooleanField(source="is_pickup")
    goods_total = RupiahField(source="seller_total", allow_null=True)
    shipping = RupiahField(source="shipping_incl_tax")
    total = RupiahField(source="total_incl_tax")
    payment = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField(help_text="an order status")))
    def get_moves(self, order) -> list[str]:
        return [str(s) for s in order_selectors.order_moves(order=order, party=self.context["party"])]

    @extend_schema_field(SellerOrderPaymentSerializer)
    def get_payment(self, order) -> dict:
        payment = order_selectors.order_payment(order=order)
        return SellerOrderPaymentSerializer(
            {
                "method": payment.method,
                "label": payment.label,
                "paid_at": payment.paid_at,
                "collect": payment.collect,
                "refund_amount": payment.refund_amount,
            }
        ).data


class SellerOrderLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    sku = serializers.CharField(source="partner_sku")
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = RupiahField(source="unit_price_incl_tax", allow_null=True)
    line_price = RupiahField(source="line_price_incl_tax")


class DeliverySerializer(serializers.Serializer):
    """Who receives the goods and where, as the seller centre's order page shows it."""

    name = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    address = serializers.ListField(child=serializers.CharField(), help_text="empty for a pickup order")
    postcode = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)


class OrderMoveSerializer(serializers.Serializer):
    old_status = serializers.CharField(allow_blank=True)
    new_status = serializers.CharField()
    party = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    date = serializers.DateTimeField(source="date_created")


class OrderDetailSerializer(OrderSerializer):
    lines = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    @extend_schema_field(SellerOrderLineSerializer(many=True))
    def get_lines(self, order) -> list[dict]:
        return SellerOrderLineSerializer(self.context["lines"], many=True).data

    @extend_schema_field(DeliverySerializer(allow_null=True))
    def get_delivery(self, order) -> dict | None:
        address = order.shipping_address
        if address is None:
            return None
        lines = [] if order.is_pickup else [address.line1, address.line2, address.line3, address.line4]
        return DeliverySerializer(
            {
                "name": f"{address.first_name} {address.last_name}".strip(),
                "phone": address.phone_number.as_e164 if address.phone_number else "",
                "address": [line for line in lines if line],
                "postcode": "" if order.is_pickup else address.postcode,
                "notes": getattr(address, "notes", "") or "",
            }
        ).data

    @extend_schema_field(OrderMoveSerializer(many=True))
    def get_history(self, order) -> list[dict]:
        return OrderMoveSerializer(order_selectors.order_history(order=order), many=True).data


class OrderStatusMoveSerializer(serializers.Serializer):
    """A move of the order through the status table (orders.statuses), as the order page's buttons make."""

    status = serializers.ChoiceField(choices=OrderStatus.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default="", help_text="needed to reject"
    )
