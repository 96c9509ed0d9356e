"""The API's catalogue: public, read only, the same listings and ranking as the catalogue pages."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from oscar.core.loading import get_model
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.serializers_catalogue import (
    CategorySerializer,
    ProductDetailSerializer,
    ProductQuerySerializer,
    ProductSerializer,
)
from catalogue_ext.selectors import (
    ProductSort,
    product_detail_queryset,
    product_list,
    product_search,
    products_on_sale,
)

Category = get_model("catalogue", "Category")


@extend_schema(tags=["catalogue"])
class CategoryList(generics.ListAPIView):
    """The public categories in tree order; ``parent`` is the id of the category above, or null."""

    required_scope = None
    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return Category.objects.filter(is_public=True).order_by("path")

    def list(self, request, *args, **kwargs):
        categories = list(self.get_queryset())
        # a category's parent is the one whose tree path is its own less one step
        by_path = {c.path: c.pk for c in categories}
        parents = {c.pk: by_path.get(c.path[: -Category.steplen]) for c in categories}
        context = {**self.get_serializer_context(), "parents": parents}
        return Response(self.get_serializer_class()(categories, many=True, context=context).data)


@extend_schema(tags=["catalogue"], parameters=[ProductQuerySerializer])
class ProductList(generics.ListAPIView):
    """Products on sale, with each shop's price and stock. With ``q``, ranked as on the search page."""

    required_scope = None
    serializer_class = ProductSerializer

    def get_queryset(self):
        query = ProductQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        if f.get("q"):
            sort = f.get("sort") or ProductSort.RELEVANCE
            qs = product_search(query=f["q"], sort=sort, kecamatan=f.get("kecamatan"))
            if f.get("made_locally") is not None:
                qs = qs.filter(made_locally=f["made_locally"])
            return qs
        category = None
        if f.get("category"):
            category = Category.objects.filter(pk=f["category"], is_public=True).first()
            if category is None:
                raise NotFound()
        sort = f.get("sort") or ProductSort.NEWEST
        if sort == ProductSort.RELEVANCE:
            sort = ProductSort.NEWEST  # nothing to be relevant to without search words
        return product_list(
            category=category, sort=sort, made_locally=f.get("made_locally"), kecamatan=f.get("kecamatan")
        )


@extend_schema(tags=["catalogue"])
class ProductDetail(generics.RetrieveAPIView):
    """One product on sale, with its description, categories, pictures and offers."""

    required_scope = None
    serializer_class = ProductDetailSerializer

    def get_queryset(self):
        return product_detail_queryset().filter(pk__in=products_on_sale().values("pk"))


urls = [
    path("categories/", CategoryList.as_view(), name="categories"),
    path("products/", ProductList.as_view(), name="products"),
    path("products/<int:pk>/", ProductDetail.as_view(), name="product"),
]
