"""The seller's side of official purchases: a year's payments from agencies and the taxes withheld.

Pages of the seller centre that only procurement can fill (the marketplace never imports
procurement): the shop is resolved as every seller-centre page resolves it (sellers.centre's
SellerCentreMixin: one of the signed-in user's shops, ``?toko=`` or the session's), so a user
who is not one of a shop's users gets 403 and another shop's payments are never read.
"""

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from peken.exports import FORMATS, export_response
from procurement import selectors_seller
from sellers.centre import SellerCentreMixin

MIN_YEAR, MAX_YEAR = 2000, 2100


def year_known_or_404(year: int) -> None:
    # a date lookup on year 99999 would fail in the database, not answer "nothing"
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("Tahun tidak dikenal."))


class SellerWithholdingsView(SellerCentreMixin, TemplateView):
    """One year's official payments to the shop, each with its withholdings; CSV and XLSX to download."""

    template_name = "procurement/seller/withholdings.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        years = selectors_seller.seller_payment_years(seller=self.seller)
        try:
            year = int(self.request.GET.get("tahun") or (years[0] if years else timezone.localdate().year))
        except ValueError:
            raise Http404(_("Tahun tidak dikenal.")) from None
        year_known_or_404(year)
        ctx.update(
            {
                "year": year,
                "years": years,
                "payments": selectors_seller.seller_payments(seller=self.seller, year=year),
                "totals": selectors_seller.seller_payment_totals(seller=self.seller, year=year),
                "formats": FORMATS,
            }
        )
        return ctx


class SellerWithholdingsExportView(SellerCentreMixin, View):
    """The year's summary as a spreadsheet: one row per withholding (peken.exports)."""

    def get(self, request, *args, year: int, fmt: str, **kwargs):
        if fmt not in FORMATS:
            raise Http404(_("Format unduhan tidak dikenal."))
        year_known_or_404(year)
        payments = selectors_seller.seller_payments(seller=self.seller, year=year)
        return export_response(
            fmt=fmt,
            name=f"potongan-pajak-{self.seller.code or self.seller.pk}-{year}",
            header=selectors_seller.WITHHOLDING_HEADER,
            rows=selectors_seller.seller_withholding_rows(payments),
            title=_("Potongan pajak %(year)s") % {"year": year},
        )


urlpatterns = [
    path("penjual/pajak/", SellerWithholdingsView.as_view(), name="seller-withholdings"),
    path(
        "penjual/pajak/<int:year>/unduh.<str:fmt>",
        SellerWithholdingsExportView.as_view(),
        name="seller-withholdings-export",
    ),
]
