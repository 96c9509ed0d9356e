"""Test data for Peken, built on Oscar's factories with Indonesian defaults."""

from decimal import Decimal
from functools import cache
from io import BytesIO

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from oscar.core.loading import get_model
from PIL import Image

Category = get_model("catalogue", "Category")
Country = get_model("address", "Country")

DEFAULT_PASSWORD = "rahasia-uji-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pembeli{n}")
    email = factory.Sequence(lambda n: f"pembeli{n}@contoh.id")
    first_name = "Siti"
    last_name = "Aminah"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso_3166_1_a2",)

    iso_3166_1_a2 = "ID"
    iso_3166_1_a3 = "IDN"
    iso_3166_1_numeric = "360"
    printable_name = "Indonesia"
    name = "Republik Indonesia"
    is_shipping_country = True


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_model("partner", "Partner")
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Toko Berkah {n}")
    status = "aktif"  # a verified shop, on sale


class ProductClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_model("catalogue", "ProductClass")
        django_get_or_create = ("slug",)

    name = "Barang"
    slug = "barang"
    requires_shipping = True
    track_stock = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_model("catalogue", "Product")

    structure = "standalone"
    upc = factory.Sequence(lambda n: f"PKN{n:08d}")
    title = factory.Sequence(lambda n: f"Beras Premium {n} kg")
    description = "Beras pulen dari petani Jawa Timur."
    product_class = factory.SubFactory(ProductClassFactory)
    is_public = True


class StockRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_model("partner", "StockRecord")

    product = factory.SubFactory(ProductFactory)
    partner = factory.SubFactory(PartnerFactory)
    partner_sku = factory.Sequence(lambda n: f"SKU{n:06d}")
    price_currency = "IDR"
    price = Decimal("15000")
    num_in_stock = 100


def category_create(name: str, parent=None):
    """A category node, through treebeard so paths and depths are right."""
    if parent is None:
        return Category.objects.add_root(create_kwargs={"name": name})
    return Category.objects.add_child(parent, create_kwargs={"name": name})


def product_create(
    *,
    title: str = None,
    price=Decimal("15000"),
    stock: int = 100,
    category=None,
    partner=None,
    image: bool = False,
    **fields,
):
    """A public product with one seller's stock record, optionally in a category and with a picture."""
    kwargs = {"title": title} if title else {}
    product = ProductFactory(**kwargs, **fields)
    if image:
        get_model("catalogue", "ProductImage").objects.create(
            product=product, original=ContentFile(_tiny_jpeg(), name=f"{product.upc}.jpg")
        )
    StockRecordFactory(
        product=product,
        price=Decimal(price),
        num_in_stock=stock,
        **({"partner": partner} if partner else {}),
    )
    if category is not None:
        get_model("catalogue", "ProductCategory").objects.create(product=product, category=category)
    return product


@cache
def _tiny_jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (40, 40), "#b23a48").save(buffer, format="JPEG")
    return buffer.getvalue()


def seller_create(*, name: str, email: str, status: str = "aktif"):
    """A shop with one signed-up owner (its partner user), as registration and verification leave it."""
    shop = PartnerFactory(name=name, status=status)
    shop.users.add(UserFactory(email=email, username=email.split("@")[0]))
    return shop


def order_create(*, user, lines: list, number: str, status: str = "Baru"):
    """A placed order of (stock record, quantity) lines, written directly (not through checkout)."""
    from django.contrib.sites.models import Site

    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    total = sum(record.price * quantity for record, quantity in lines)
    fields = {f.name for f in Order._meta.get_fields()}
    extra = {"seller": lines[0][0].partner} if "seller" in fields else {}
    order = Order.objects.create(
        number=number,
        user=user,
        site=Site.objects.get_current(),
        currency="IDR",
        total_incl_tax=total,
        total_excl_tax=total,
        status=status,
        **extra,
    )
    for record, quantity in lines:
        price = record.price * quantity
        Line.objects.create(
            order=order,
            partner=record.partner,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
            stockrecord=record,
            product=record.product,
            title=record.product.title,
            quantity=quantity,
            num_allocated=quantity,
            line_price_incl_tax=price,
            line_price_excl_tax=price,
            line_price_before_discounts_incl_tax=price,
            line_price_before_discounts_excl_tax=price,
            unit_price_incl_tax=record.price,
            unit_price_excl_tax=record.price,
            status=status,
        )
    return order


class PaymentFactory(factory.django.DjangoModelFactory):
    """A card payment as payment_intent_for_basket leaves it, with a made-up intent id."""

    class Meta:
        model = "payments.Payment"

    reference = factory.Sequence(lambda n: f"PKN-T{n:05d}")
    user = factory.SubFactory(UserFactory)
    amount = Decimal("15000")
    intent_id = factory.Sequence(lambda n: f"pi_test{n:08d}")


def order_with_products(*, user, products: list, status: str = "Selesai", date_placed=None):
    """An order of ``user`` with one line per product (its first shop's), in ``status``, written directly.

    For tests of what follows an order (reviews, sellers' recent orders), not of checkout.
    """
    from django.utils import timezone

    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    records = [product.stockrecords.order_by("partner_id").first() for product in products]
    # A per-seller order (orders app) names its seller; Oscar's own order has no such field.
    extra = {"seller": records[0].partner} if "seller" in {f.name for f in Order._meta.get_fields()} else {}
    order = Order.objects.create(
        number=f"T{Order.objects.count() + 100001}",
        site_id=1,
        user=user,
        currency="IDR",
        total_incl_tax=Decimal("0"),
        total_excl_tax=Decimal("0"),
        shipping_method="Ambil di toko",
        shipping_code="ambil-di-toko",
        status=status,
        date_placed=date_placed or timezone.now(),
        **extra,
    )
    for product, record in zip(products, records, strict=True):
        Line.objects.create(
            order=order,
            partner=record.partner,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
            stockrecord=record,
            product=product,
            title=product.title,
            upc=product.upc or "",
            quantity=1,
            line_price_incl_tax=record.price,
            line_price_excl_tax=record.price,
            line_price_before_discounts_incl_tax=record.price,
            line_price_before_discounts_excl_tax=record.price,
            unit_price_incl_tax=record.price,
            unit_price_excl_tax=record.price,
            status=status,
            num_allocated=1,
            allocation_cancelled=False,
        )
    return order
