"""What the catalogue endpoints show: only what the public pages show."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from oscar.core.loading import get_model
from rest_framework import serializers

from api.fields import RupiahField
from catalogue_ext.selectors import ProductSort

Category = get_model("catalogue", "Category")


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "depth", "parent", "url"]

    def get_parent(self, category) -> int | None:
        return self.context["parents"].get(category.pk)

    def get_url(self, category) -> str:
        return category.get_absolute_url()


class ShopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    kecamatan = serializers.CharField()
    umkm_scale = serializers.CharField()


class OfferSerializer(serializers.Serializer):
    """One shop's offer of a product: its price and whether it can be bought now."""

    stockrecord_id = serializers.IntegerField(source="pk")
    shop = ShopSerializer(source="partner")
    price = RupiahField()
    currency = serializers.CharField(source="price_currency")
    in_stock = serializers.SerializerMethodField()

    def get_in_stock(self, record) -> bool:
        # a service (catering, printing) is not counted in stock: it can always be ordered
        tracked = self.context.get("track_stock", True)
        return not tracked or record.net_stock_level > 0


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    made_locally = serializers.BooleanField()
    rating = serializers.FloatField(allow_null=True)
    offers = serializers.SerializerMethodField()

    def get_url(self, product) -> str:
        return reverse("catalogue:detail", kwargs={"product_slug": product.slug, "pk": product.pk})

    @staticmethod
    def _offers(product) -> list:
        # the prefetched stock records are those of verified, active shops only
        return sorted(product.stockrecords.all(), key=lambda r: (r.price or 0, r.pk))

    @extend_schema_field(OfferSerializer(many=True))
    def get_offers(self, product) -> list[dict]:
        tracked = product.product_class.track_stock if product.product_class else True
        return OfferSerializer(self._offers(product), many=True, context={"track_stock": tracked}).data


class ProductDetailSerializer(ProductSerializer):
    description = serializers.CharField()
    categories = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()

    def get_categories(self, product) -> list[int]:
        return [c.pk for c in product.categories.all()]

    def get_images(self, product) -> list[str]:
        return [image.original.url for image in product.images.all() if image.original]


class ProductQuerySerializer(serializers.Serializer):
    """The catalogue's filters, as on its pages."""

    q = serializers.CharField(
        required=False, max_length=200, help_text="search words, ranked as on the search page"
    )
    category = serializers.IntegerField(required=False, min_value=1)
    kecamatan = serializers.CharField(required=False, max_length=64, help_text="the shop's kecamatan")
    made_locally = serializers.BooleanField(required=False, allow_null=True, default=None)
    sort = serializers.ChoiceField(
        choices=[s for s in ProductSort.values if s != ProductSort.RECOMMENDED],
        required=False,
        help_text="relevansi needs q; default: relevansi with q, terbaru without",
    )
