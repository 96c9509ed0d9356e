"""The API's seller endpoints: a shop's own listings, prices and stock, and orders.

Who: only people who work for the shop, found as the seller centre finds them
(sellers.selectors.centre_shops); the shop is named by its code in the URL, and a shop
the caller does not work for, or another shop's listing or order, is a 404, as in the
seller centre. Every write is one service of the pages: listing_create and
listing_update (curation, price and stock audit), stock_rows_apply (the CSV upload's
writer: all or nothing, audit), order_status_change (the status table).
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from oscar.core.loading import get_model
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import ApiToken, Scope
from api.serializers_seller import (
    ListingQuerySerializer,
    ListingSerializer,
    ListingWriteSerializer,
    OrderDetailSerializer,
    OrderQuerySerializer,
    OrderSerializer,
    OrderStatusMoveSerializer,
    OwnShopSerializer,
    StockRowSerializer,
    StockSyncResultSerializer,
)
from catalogue_ext import services as catalogue_services
from orders import selectors as order_selectors
from orders import services as order_services
from orders.statuses import Party
from sellers import selectors, services
from sellers.abstract_models import StockUpdateSource

Partner = get_model("partner", "Partner")

SHOP = OpenApiParameter(
    "shop", str, OpenApiParameter.PATH, description="the shop's code (GET /seller/shops/)"
)


def _shop(request, code: str) -> Partner:
    """The shop ``code`` names, if the caller works for it (the seller centre's rule); else 404."""
    shop = selectors.centre_shops(user=request.user).filter(code=code).first()
    if shop is None:
        raise NotFound(_("Toko tidak ditemukan."))
    return shop


class SellerView:
    """Scope seller, and ``self.shop`` resolved from the URL before anything else runs."""

    required_scope = Scope.SELLER

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.shop = _shop(request, kwargs["shop"])


@extend_schema(tags=["seller"], responses=OwnShopSerializer(many=True))
class ShopList(generics.ListAPIView):
    """The shops the caller works for, oldest first (403 for someone who works for none, as the centre)."""

    required_scope = Scope.SELLER
    serializer_class = OwnShopSerializer
    pagination_class = None

    def get_queryset(self):
        if not selectors.works_for_a_shop(user=self.request.user):
            raise PermissionDenied(_("Pusat penjual hanya untuk pemilik toko."))
        return selectors.centre_shops(user=self.request.user)


def _listings(shop):
    return selectors.centre_products(seller=shop).prefetch_related("categories")


def _listing(shop, pk: int):
    return get_object_or_404(_listings(shop), pk=pk)


@extend_schema_view(
    get=extend_schema(
        tags=["seller"],
        parameters=[SHOP, ListingQuerySerializer],
        responses=ListingSerializer(many=True),
        summary="The shop's listings, the latest changed first",
    ),
    post=extend_schema(
        tags=["seller"],
        parameters=[SHOP],
        request={"multipart/form-data": ListingWriteSerializer},
        responses={201: ListingSerializer},
        summary="Add a listing: curation decides at once whether it is on sale or held",
    ),
)
class ListingList(SellerView, generics.ListCreateAPIView):
    """The shop's listings; a new one is checked by the seller centre's form and goes to curation
    (catalogue_ext.services.listing_create): held off sale when it matches the banned words or
    categories, else on sale and waiting for a verifier."""

    serializer_class = ListingSerializer
    parser_classes = [MultiPartParser, JSONParser]

    def get_queryset(self):
        query = ListingQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        listings = _listings(self.shop)
        if f.get("status"):
            listings = listings.filter(listing_status=f["status"])
        if f.get("sku"):
            listings = listings.filter(stockrecords__partner=self.shop, stockrecords__partner_sku=f["sku"])
        if f.get("q"):
            listings = listings.filter(title__icontains=f["q"])
        return listings

    def create(self, request, *args, **kwargs):
        given = ListingWriteSerializer(data=request.data, context={"product": None})
        given.is_valid(raise_exception=True)
        product = catalogue_services.listing_create(
            seller=self.shop, actor=request.user, data=given.validated_data, source=StockUpdateSource.API
        )
        return Response(
            ListingSerializer(_listing(self.shop, product.pk)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    get=extend_schema(tags=["seller"], parameters=[SHOP], responses=ListingSerializer),
    patch=extend_schema(
        tags=["seller"],
        parameters=[SHOP],
        request={"application/json": ListingWriteSerializer, "multipart/form-data": ListingWriteSerializer},
        responses=ListingSerializer,
        summary="Change some fields of a listing (price and stock too), as the edit page does",
    ),
)
class ListingDetail(SellerView, APIView):
    """One of the shop's listings. An edit names only the fields it changes; it is checked by the
    seller centre's form and applied by catalogue_ext.services.listing_update: a content change
    goes back to curation, a price or stock change is recorded in the shop's history."""

    parser_classes = [JSONParser, MultiPartParser]

    def get(self, request, shop: str, pk: int):
        return Response(ListingSerializer(_listing(self.shop, pk)).data)

    def patch(self, request, shop: str, pk: int):
        product = _listing(self.shop, pk)
        given = ListingWriteSerializer(data=request.data, context={"product": product})
        given.is_valid(raise_exception=True)
        catalogue_services.listing_update(
            product=product,
            seller=self.shop,
            actor=request.user,
            data=given.validated_data,
            source=StockUpdateSource.API,
        )
        return Response(ListingSerializer(_listing(self.shop, pk)).data)


def _row_fields(errors) -> dict:
    """A list serializer's errors (by row, a list or a dict) keyed "<row>.<field>", as the service's are."""
    by_row = errors.items() if isinstance(errors, dict) else enumerate(errors)
    fields = {}
    for row, problems in by_row:
        if isinstance(problems, dict):
            fields.update({f"{row}.{field}": messages for field, messages in problems.items()})
        elif problems:
            fields[str(row)] = problems
    return fields


@extend_schema(
    tags=["seller"],
    parameters=[SHOP],
    request=StockRowSerializer(many=True),
    responses=StockSyncResultSerializer,
    summary="Set prices and stock by SKU, every row or none (a till's sync)",
)
class StockSync(SellerView, APIView):
    """POST a list of ``{"sku", "price", "stock"}`` rows: the shop's prices and stock set as a
    point-of-sale system knows them, by the CSV upload's rules and writer
    (sellers.services.stock_rows_apply): each row as a CSV line is checked, every SKU must be
    the shop's, at most PEKEN_CSV_MAX_ROWS rows. One bad row and nothing changes: the 400
    names each one in ``fields`` as ``"<row>.<field>"`` (rows counted from 0). Otherwise every
    row applies at once and is recorded as one entry of the shop's price and stock history
    (source API, the token's name), and the answer gives each row's old and new values.
    Unlike a big CSV file there is no background job: the till learns at once whether its
    sync took (5,000 rows, the limit, take about 2 s), and a retry of the same rows changes
    nothing more and records nothing."""

    def post(self, request, shop: str):
        rows = StockRowSerializer(data=request.data, many=True)
        if not rows.is_valid():
            raise ValidationError(_row_fields(rows.errors))
        token = request.auth if isinstance(request.auth, ApiToken) else None
        try:
            result = services.stock_rows_apply(
                seller=self.shop,
                actor=request.user,
                rows=rows.validated_data,
                source_name=token.name if token else "",
            )
        except services.StockRowsInvalid as exc:
            raise ValidationError(exc.fields) from None
        return Response(StockSyncResultSerializer(result).data)


def _orders(shop):
    return selectors.centre_orders(seller=shop).prefetch_related(
        "sources__source_type", "payment_events__event_type"
    )


def _order(request, shop, number: str):
    """The shop's order ``number``, if the caller is its seller party (the order page's rule); else 404."""
    order = get_object_or_404(_orders(shop).select_related("seller", "shipping_address"), number=number)
    if order_selectors.order_party(order=order, user=request.user) != Party.SELLER:
        raise NotFound()
    return order


def _order_body(request, shop, number: str) -> dict:
    order = _order(request, shop, number)
    lines = selectors.centre_order_lines(seller=shop, order=order)
    return OrderDetailSerializer(order, context={"party": Party.SELLER, "lines": lines}).data


@extend_schema(tags=["seller"], parameters=[SHOP, OrderQuerySerializer], responses=OrderSerializer(many=True))
class OrderList(SellerView, generics.ListAPIView):
    """The shop's orders, newest first, official ones included, each with the moves it allows now."""

    serializer_class = OrderSerializer

    def get_queryset(self):
        query = OrderQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        orders = _orders(self.shop)
        if query.validated_data.get("status"):
            orders = orders.filter(status=query.validated_data["status"])
        return orders

    def get_serializer_context(self):
        # the caller works for the shop (SellerView), and these are the shop's orders
        return {**super().get_serializer_context(), "party": Party.SELLER}


@extend_schema(tags=["seller"], parameters=[SHOP], responses=OrderDetailSerializer)
class OrderDetail(SellerView, APIView):
    """One of the shop's orders: only its own lines, the delivery, payment and status history."""

    def get(self, request, shop: str, number: str):
        return Response(_order_body(request, self.shop, number))


@extend_schema(
    tags=["seller"],
    parameters=[SHOP],
    request=OrderStatusMoveSerializer,
    responses=OrderDetailSerializer,
    summary="Accept, reject, mark ready or sent: a move in the order status table",
)
class OrderStatusMove(SellerView, APIView):
    """Move the order as its seller through orders.services.order_status_change: a move the table
    (or the order's shipping or payment) does not allow is a 409 with the reason; rejecting needs
    a reason, which the buyer is told."""

    def post(self, request, shop: str, number: str):
        order = _order(request, self.shop, number)
        move = OrderStatusMoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        order_services.order_status_change(
            order=order,
            actor=request.user,
            party=Party.SELLER,
            status=move.validated_data["status"],
            reason=move.validated_data["reason"],
        )
        return Response(_order_body(request, self.shop, number))


urls = [
    path("seller/shops/", ShopList.as_view(), name="seller-shops"),
    path("seller/shops/<str:shop>/products/", ListingList.as_view(), name="seller-products"),
    path("seller/shops/<str:shop>/products/<int:pk>/", ListingDetail.as_view(), name="seller-product"),
    path("seller/shops/<str:shop>/stock/", StockSync.as_view(), name="seller-stock"),
    path("seller/shops/<str:shop>/orders/", OrderList.as_view(), name="seller-orders"),
    path("seller/shops/<str:shop>/orders/<str:number>/", OrderDetail.as_view(), name="seller-order"),
    path(
        "seller/shops/<str:shop>/orders/<str:number>/status/",
        OrderStatusMove.as_view(),
        name="seller-order-status",
    ),
]
