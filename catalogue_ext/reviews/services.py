"""Writes of product reviews: only by buyers who received the product, once each."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue_ext.reviews import selectors

Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")


class ReviewError(Exception):
    """A review that may not be written: not signed in, not received, already reviewed, bad score."""


def product_review_write(
    *, user: AbstractBaseUser, product: Product, score: int, title: str = "", body: str = ""
) -> ProductReview:
    """Record ``user``'s review of ``product`` and update the product's average rating.

    Only a signed-in user with an order in status Selesai containing the
    product may review it, with 1 to 5 stars, once (the database's unique
    product and user pair settles a double submit). A review without a title
    is titled from its text. Raises ReviewError naming the reason.
    """
    if not 1 <= score <= 5:
        raise ReviewError(_("Nilai harus 1 sampai 5 bintang."))
    refusal = selectors.review_refusal(user=user, product=product)
    if refusal:
        raise ReviewError(refusal)
    body = body.strip()
    title = title.strip() or Truncator(body).chars(60) or _("Nilai %(n)s dari 5") % {"n": score}
    try:
        with transaction.atomic():
            # Oscar's save() also recomputes Product.rating, the average the cards show.
            return ProductReview.objects.create(
                product=product, user=user, score=score, title=title, body=body
            )
    except IntegrityError:
        raise ReviewError(_("Anda sudah mengulas produk ini.")) from None
