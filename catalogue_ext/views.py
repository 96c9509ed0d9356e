"""The storefront's home page and product page."""

from django.views.generic import TemplateView
from oscar.apps.catalogue import views
from oscar.core.loading import get_model

from catalogue_ext import selectors

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")

HOME_SHELF_SIZE = 8


class HomeView(TemplateView):
    """Categories, the newest listings and goods made in Surabaya, in a fixed number of queries."""

    template_name = "peken/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["categories"] = Category.objects.filter(depth=1, is_public=True).order_by("path")
        ctx["newest"] = selectors.product_list()[:HOME_SHELF_SIZE]
        ctx["local"] = selectors.product_list(made_locally=True)[:HOME_SHELF_SIZE]
        return ctx


class ProductDetailView(views.ProductDetailView):
    """Oscar's product page, with what it shows loaded in a few queries up front."""

    def get_queryset(self):
        return Product.objects.select_related("product_class").prefetch_related(
            "images", "stockrecords__partner", "categories"
        )
