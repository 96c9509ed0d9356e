"""The product page's report form, per person (a call part of the shared page, peken/personal.py)."""

from django.template.loader import render_to_string
from oscar.core.loading import get_model

from catalogue_ext.forms import ListingReportForm
from peken.csrf import SHARED_TOKEN

Product = get_model("catalogue", "Product")


def listing_report_html(user_id: int | None, product_id: int, product_slug: str) -> str:
    """The form to report the listing for a signed-in shopper, the sign-in hint for anyone else."""
    return render_to_string("oscar/catalogue/partials/report_action.html", {
        "signed_in": user_id is not None, "product": Product(pk=product_id, slug=product_slug),
        "report_form": ListingReportForm(), "csrf_token": SHARED_TOKEN,  # each visitor's token: peken/csrf.py
    })
