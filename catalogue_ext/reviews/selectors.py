"""Reads about product reviews: who may write one, and what an order's buyer has reviewed."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from orders.statuses import OrderStatus

Line = get_model("order", "Line")
Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")


def approved_review_count() -> Coalesce:
    """Each product's number of approved reviews, as an annotation (one query for a whole listing)."""
    counts = (
        ProductReview.objects.filter(product=OuterRef("pk"), status=ProductReview.APPROVED)
        .order_by()
        .values("product")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def product_received_by(*, user: AbstractBaseUser, product: Product) -> bool:
    """Whether ``user`` has an order in status Selesai (received) with a line of ``product``."""
    return (
        Line.objects.filter(order__user=user, order__status=OrderStatus.RECEIVED)
        .filter(Q(product=product) | Q(product__parent=product))
        .exists()
    )


def review_refusal(*, user: AbstractBaseUser, product: Product) -> str | None:
    """Why ``user`` may not review ``product``, or None if they may (at most two queries).

    Only a signed-in buyer who received the product in an order may review
    it, once (Oscar's one review per user and product).
    """
    if not user.is_authenticated:
        return _("Masuk dulu. Ulasan hanya bisa ditulis oleh pembeli yang sudah menerima produk ini.")
    if ProductReview.objects.filter(product=product, user=user).exists():
        return _("Anda sudah mengulas produk ini.")
    if not product_received_by(user=user, product=product):
        return _(
            "Ulasan hanya bisa ditulis oleh pembeli yang sudah menerima produk ini "
            "(pesanan berstatus Selesai)."
        )
    return None


def order_products_queryset(*, order):
    """The products bought in one order."""
    return Product.objects.filter(pk__in=order.lines.values("product_id")).order_by("title", "pk")


def order_products_to_review(*, order, user: AbstractBaseUser) -> list:
    """The products of one order, each with ``user``'s review of it (any order) if there is one."""
    products = list(order_products_queryset(order=order))
    reviews = {r.product_id: r for r in ProductReview.objects.filter(user=user, product__in=products)}
    for product in products:
        product.my_review = reviews.get(product.pk)
    return products
