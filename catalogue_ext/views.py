"""The storefront's home page and product page."""

from django.views.generic import TemplateView
from oscar.apps.catalogue import views

from catalogue_ext import selectors

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

    def is_viewable(self, product, request):
        # A product whose every seller is pending or suspended is off the storefront.
        return super().is_viewable(product, request) and (product.on_sale or request.user.is_staff)
