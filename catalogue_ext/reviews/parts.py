"""What a product page offers a shopper about reviewing it, per person and product.

A call part of the shared product page (peken/personal.py): the same
function answers when the page is rendered and when a shared copy is filled
for another shopper, so both give the same HTML.
"""

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from oscar.core.loading import get_model

from catalogue_ext.reviews.selectors import review_refusal

Product = get_model("catalogue", "Product")


def review_action_html(user_id: int | None, product_id: int, product_slug: str) -> str:
    """The sign-in hint, the reason this person may not review the product, or the link to review it."""
    # Only the ids are read (two queries at most), so no row is fetched to build these.
    product = Product(pk=product_id, slug=product_slug)
    refusal = None if user_id is None else review_refusal(user=get_user_model()(pk=user_id), product=product)
    return render_to_string(
        "oscar/catalogue/reviews/partials/review_action.html",
        {"signed_in": user_id is not None, "refusal": refusal, "product": product},
    )
