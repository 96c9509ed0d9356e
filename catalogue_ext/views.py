"""The storefront's home page, product page and listing reports."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from oscar.apps.catalogue import views
from oscar.core.loading import get_model

from catalogue_ext import selectors, services
from catalogue_ext.forms import ListingReportForm
from sellers import selectors as seller_selectors

Product = get_model("catalogue", "Product")

HOME_SHELF_SIZE = 8


class HomeView(TemplateView):
    """Categories, the newest listings and goods made in Surabaya, in a fixed number of queries."""

    template_name = "peken/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["categories"] = selectors.category_roots()
        ctx["newest"] = selectors.product_list()[:HOME_SHELF_SIZE]
        ctx["local"] = selectors.product_list(made_locally=True)[:HOME_SHELF_SIZE]
        return ctx


class ProductDetailView(views.ProductDetailView):
    """Oscar's product page, with what it shows loaded in a few queries up front."""

    def get_queryset(self):
        return selectors.product_detail_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        partner_ids = [record.partner_id for record in self.object.stockrecords.all()]
        ratings = seller_selectors.seller_rating_summary(partner_ids)
        ctx["seller_rating"] = ratings.get(partner_ids[0]) if partner_ids else None
        ctx["reviews"] = self.object.reviews.approved().select_related("user").order_by("-date_created")[:3]
        return ctx

    def get_alert_status(self):
        # The page offers no stock alerts (templates/oscar/catalogue/detail.html replaces Oscar's
        # basket form, which did), so Oscar's per-shopper alert lookup would be a wasted query.
        return False

    def is_viewable(self, product, request):
        # A product whose every seller is pending or suspended is off the storefront.
        return super().is_viewable(product, request) and (product.on_sale or request.user.is_staff)


class ListingReportView(LoginRequiredMixin, FormView):
    """A signed-in shopper reports a listing from its page."""

    form_class = ListingReportForm
    http_method_names = ["post"]

    def form_valid(self, form):
        product = get_object_or_404(Product.objects.browsable(), pk=self.kwargs["pk"])
        try:
            services.listing_report_file(
                product=product,
                reporter=self.request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except services.ReportError as exc:
            messages.info(self.request, str(exc))
        else:
            messages.success(self.request, _("Terima kasih. Laporan Anda akan diperiksa petugas."))
        return redirect(product.get_absolute_url())

    def form_invalid(self, form):
        messages.error(self.request, " ".join(form.errors.get("reason", [])) or _("Laporan tidak valid."))
        product = get_object_or_404(Product.objects.browsable(), pk=self.kwargs["pk"])
        return redirect(product.get_absolute_url())
