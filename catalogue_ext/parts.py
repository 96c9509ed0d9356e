"""The product page's report form, per person (a call part of the shared page, peken/personal.py)."""

from functools import lru_cache

from django.template.loader import render_to_string
from django.utils.translation import get_language
from oscar.core.loading import get_model

from catalogue_ext.forms import ListingReportForm
from peken.csrf import SHARED_TOKEN

Product = get_model("catalogue", "Product")


def listing_report_html(user_id: int | None, product_id: int, product_slug: str) -> str:
    """The form to report the listing for a signed-in shopper, the sign-in hint for anyone else."""
    return _report_html(get_language(), user_id is not None, product_id, product_slug)


# The same for every shopper who is signed in (their token is filled in per page, peken/csrf.py),
# and its form's widgets are the costliest part of filling a shared product page: kept per process.
@lru_cache(maxsize=4096)
def _report_html(language: str, signed_in: bool, product_id: int, product_slug: str) -> str:
    return render_to_string(
        "oscar/catalogue/partials/report_action.html",
        {
            "signed_in": signed_in,
            "product": Product(pk=product_id, slug=product_slug),
            "report_form": ListingReportForm(),
            "csrf_token": SHARED_TOKEN,
        },
    )
