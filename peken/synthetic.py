"""Synthetic data at benchmark scale: sellers, products, buyers and orders.

Rows are generated from a seeded random source, so the same arguments give the
same catalogue, and written with PostgreSQL's COPY (bulk_create elsewhere):
100,000 products and 1,000,000 order lines take about a minute, not hours.
Every synthetic row carries a recognisable key (partner code, product UPC,
order number, username), so a second run only adds what is still missing.
"""

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import ListingStatus
from catalogue_ext.services import search_words_refresh
from orders.statuses import OrderStatus
from peken.city import kecamatan_names
from sellers.abstract_models import SellerStatus, UmkmScale

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
User = get_user_model()

BATCH = 20_000
EPOCH = datetime(2026, 1, 1, 8, 0, tzinfo=timezone.get_fixed_timezone(7 * 60))

GOODS = {
    "Sembako": [
        "Beras",
        "Gula Pasir",
        "Minyak Goreng",
        "Tepung Terigu",
        "Telur Ayam",
        "Garam Dapur",
        "Kecap Manis",
        "Mie Instan",
        "Kacang Hijau",
        "Bawang Merah",
    ],
    "Minuman": [
        "Air Mineral",
        "Teh Melati",
        "Kopi Bubuk",
        "Sirup Jeruk",
        "Susu Kedelai",
        "Jamu Beras Kencur",
        "Wedang Jahe",
        "Sari Kacang Hijau",
    ],
    "Makanan Ringan": [
        "Keripik Singkong",
        "Kerupuk Udang",
        "Rengginang",
        "Kue Lapis",
        "Onde-onde",
        "Lumpia",
        "Kacang Atom",
        "Rempeyek Kacang",
    ],
    "Alat Tulis Kantor": [
        "Kertas HVS",
        "Pulpen Gel",
        "Map Plastik",
        "Stapler",
        "Amplop Coklat",
        "Buku Tulis",
        "Spidol Papan",
        "Tinta Printer",
    ],
    "Kerajinan": [
        "Tas Anyaman",
        "Tempat Tisu Rotan",
        "Vas Bambu",
        "Tikar Pandan",
        "Hiasan Dinding",
        "Kotak Perhiasan",
    ],
    "Fashion": [
        "Kemeja Batik",
        "Gamis",
        "Kerudung Segi Empat",
        "Sarung Tenun",
        "Seragam Kerja",
        "Sandal Kulit",
    ],
    "Makanan & Minuman Rapat": [
        "Nasi Kotak Ayam Bakar",
        "Snack Box",
        "Nasi Tumpeng",
        "Rawon Porsi",
        "Prasmanan Paket",
        "Kopi Rapat",
    ],
}
QUALITIES = [
    "Premium",
    "Spesial",
    "Super",
    "Asli",
    "Murni",
    "Pilihan",
    "Harian",
    "Hemat",
    "Istimewa",
    "Khas Surabaya",
    "Tradisional",
    "Organik",
]
SIZES = [
    "250 gram",
    "500 gram",
    "1 kg",
    "2 kg",
    "5 kg",
    "600 ml",
    "1 liter",
    "1 pak",
    "1 lusin",
    "1 set",
    "ukuran M",
    "ukuran L",
    "isi 10",
    "isi 25",
]
SHOP_WORDS = [
    "Barokah",
    "Makmur",
    "Sumber Rejeki",
    "Jaya Abadi",
    "Berkah",
    "Sido Mulyo",
    "Lancar",
    "Sentosa",
    "Amanah",
    "Mandiri",
    "Sejahtera",
    "Rukun",
]


@dataclass(frozen=True)
class SyntheticCounts:
    sellers: int
    products: int
    buyers: int
    orders: int
    lines: int


def _column_values(model: type[models.Model], values: dict) -> list:
    """A full row for ``model`` without its key: given values, the field default for the rest."""
    return [
        values[field.attname] if field.attname in values else field.get_default()
        for field in model._meta.concrete_fields
        if not field.primary_key
    ]


def _columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def rows_copy(model: type[models.Model], rows: Iterable[dict]) -> None:
    """Write rows in batches; COPY on PostgreSQL, bulk_create on other databases."""
    rows = iter(rows)
    if connection.vendor != "postgresql":
        while batch := list(islice(rows, BATCH)):
            model.objects.bulk_create([model(**values) for values in batch])
        return
    columns = ", ".join(f'"{c}"' for c in _columns(model))
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for values in rows:
                copy.write_row(_column_values(model, values))


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    """A shop price: whole rupiah, rounded to Rp500 as Surabaya's shops do."""
    return Decimal(rng.randrange(low, high) // 500 * 500 + 500)


def _categories() -> list[Category]:
    """Two levels under the synthetic roots, created once and reused."""
    leaves = []
    for root_name, goods in GOODS.items():
        root_name = f"{root_name} (sintetis)"
        root = Category.objects.filter(depth=1, name=root_name).first() or Category.objects.add_root(
            create_kwargs={"name": root_name, "slug": slugify(root_name), "is_public": True}
        )
        for sub in range(3):
            name = f"{root_name} {sub + 1}"
            child = Category.objects.get_children(root).filter(name=name).first()
            if child is None:
                child = Category.objects.add_child(
                    root, create_kwargs={"name": name, "slug": slugify(name), "is_public": True}
                )
            leaves.append((child, goods))
    return leaves


def _rng(prefix: str, kind: str, n: int) -> random.Random:
    """Each row draws from its own seeded source, so it is the same whatever already exists."""
    return random.Random(f"{prefix}{kind}{n}")


# the city's shops by scale (PP 7/2021), most of them micro; some are cooperatives
SCALE_WEIGHTS = ((UmkmScale.MICRO, 60), (UmkmScale.SMALL, 25), (UmkmScale.MEDIUM, 15))
COOPERATIVE_PERCENT = 5


def _seller_row(prefix: str, n: int, kecamatan: list[str]) -> dict:
    rng = _rng(prefix, "seller", n)
    scales, weights = zip(*SCALE_WEIGHTS, strict=True)
    return {
        "code": f"{prefix}{n:05d}",
        "name": f"Toko {rng.choice(SHOP_WORDS)} {n + 1}",
        "status": SellerStatus.ACTIVE.value,
        "kind": "umkm",
        "is_pkp": False,
        "made_locally": False,
        "low_income_household": False,
        # the last kecamatan have no synthetic shop: the reports' "kecamatan without orders" has rows
        "kecamatan": rng.choice(kecamatan[:-3]),
        "umkm_scale": rng.choices(scales, weights)[0].value,
        "is_cooperative": rng.randrange(100) < COOPERATIVE_PERCENT,
    }


def _sellers(count: int, prefix: str) -> list[int]:
    existing = Partner.objects.filter(code__startswith=prefix).count()
    kecamatan = kecamatan_names()
    rows_copy(Partner, (_seller_row(prefix, n, kecamatan) for n in range(existing, count)))
    return list(Partner.objects.filter(code__startswith=prefix).order_by("id").values_list("id", flat=True))


def _products(count: int, prefix: str, sellers: list[int]) -> None:
    product_class, _ = ProductClass.objects.get_or_create(
        slug="barang", defaults={"name": "Barang", "track_stock": True, "requires_shipping": True}
    )
    leaves = _categories()
    existing = Product.objects.filter(upc__startswith=prefix).count()
    plan = []
    for n in range(existing, count):
        rng = _rng(prefix, "product", n)
        category, goods = leaves[n % len(leaves)]
        title = f"{rng.choice(goods)} {rng.choice(QUALITIES)} {rng.choice(SIZES)}"
        plan.append((n, category.pk, title, rng.choice(sellers), _price(rng, 2_000, 400_000)))
    now = EPOCH
    rows_copy(
        Product,
        (
            {
                "upc": f"{prefix}{n:08d}",
                "title": title,
                "slug": slugify(title)[:128],
                "description": f"{title}, dijual oleh UMKM Surabaya.",
                "product_class_id": product_class.pk,
                "date_created": now + timedelta(minutes=n),
                "date_updated": now + timedelta(minutes=n),
                "halal_certificate_number": "",
                "made_locally": n % 3 == 0,
                "min_order_quantity": 1,
                "listing_status": ListingStatus.APPROVED.value,
            }
            for n, _cat, title, _seller, _price_ in plan
        ),
    )
    ids = dict(Product.objects.filter(upc__startswith=prefix).values_list("upc", "id"))
    rows_copy(
        ProductCategory, ({"product_id": ids[f"{prefix}{n:08d}"], "category_id": cat} for n, cat, *_ in plan)
    )
    rows_copy(
        StockRecord,
        (
            {
                "product_id": ids[f"{prefix}{n:08d}"],
                "partner_id": seller,
                "partner_sku": f"{prefix}{n:08d}",
                "price": price,
                "num_in_stock": 50 + n % 450,
                "num_allocated": 0,
                "date_created": now,
                "date_updated": now,
            }
            for n, _cat, _title, seller, price in plan
        ),
    )


def _buyers(count: int, prefix: str) -> list[int]:
    existing = User.objects.filter(username__startswith=prefix).count()
    rows_copy(
        User,
        (
            {
                "username": f"{prefix}{n:06d}",
                "email": f"{prefix}{n:06d}@contoh.id",
                "password": "!",
                "first_name": "Pembeli",
                "last_name": str(n + 1),
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
                "date_joined": EPOCH,
            }
            for n in range(existing, count)
        ),
    )
    return list(User.objects.filter(username__startswith=prefix).order_by("id").values_list("id", flat=True))


def _orders(count: int, lines_per_order: int, prefix: str, buyers: list[int]) -> int:
    existing = Order.objects.filter(number__startswith=prefix).count()
    if existing >= count:
        return 0
    stock = list(
        StockRecord.objects.filter(partner_sku__startswith=prefix)
        .order_by("id")
        .values_list(
            "id", "partner_id", "partner__name", "product_id", "product__title", "product__upc", "price"
        )[:50_000]
    )
    plan = []
    for n in range(existing, count):
        rng = _rng(prefix, "order", n)
        picks = rng.sample(stock, min(lines_per_order, len(stock)))
        quantities = [rng.randint(1, 5) for _ in picks]
        total = sum(p[6] * q for p, q in zip(picks, quantities, strict=True))
        plan.append((n, rng.choice(buyers), picks, quantities, total))
    statuses = [OrderStatus.RECEIVED.value] * 6 + [
        OrderStatus.SENT.value,
        OrderStatus.ACCEPTED.value,
        OrderStatus.NEW.value,
        OrderStatus.CANCELLED.value,
    ]
    rows_copy(
        Order,
        (
            {
                "number": f"{prefix}{n:08d}",
                "site_id": 1,
                "user_id": buyer,
                "currency": "IDR",
                "total_incl_tax": total,
                "total_excl_tax": total,
                "shipping_method": "Ambil di toko",
                "shipping_code": "ambil-di-toko",
                "status": statuses[n % len(statuses)],
                "guest_email": "",
                "date_placed": EPOCH + timedelta(minutes=n % 400_000),
                "analytics_tracked": True,
            }
            for n, buyer, _picks, _quantities, total in plan
        ),
    )
    ids = dict(Order.objects.filter(number__startswith=prefix).values_list("number", "id"))

    def lines() -> Iterator[dict]:
        for n, _buyer, picks, quantities, _total in plan:
            order_id = ids[f"{prefix}{n:08d}"]
            for (record, partner, partner_name, product, title, upc, price), qty in zip(
                picks, quantities, strict=True
            ):
                amount = price * qty
                yield {
                    "order_id": order_id,
                    "partner_id": partner,
                    "partner_name": partner_name,
                    "partner_sku": upc or "",
                    "partner_line_reference": "",
                    "partner_line_notes": "",
                    "stockrecord_id": record,
                    "product_id": product,
                    "title": title,
                    "upc": upc,
                    "quantity": qty,
                    "line_price_incl_tax": amount,
                    "line_price_excl_tax": amount,
                    "line_price_before_discounts_incl_tax": amount,
                    "line_price_before_discounts_excl_tax": amount,
                    "unit_price_incl_tax": price,
                    "unit_price_excl_tax": price,
                    "status": OrderStatus.RECEIVED.value,
                    "num_allocated": qty,
                    "allocation_cancelled": False,
                }

    rows_copy(Line, lines())
    return len(plan)


def synthetic_populate(
    *,
    sellers: int,
    products: int,
    orders: int,
    lines_per_order: int = 4,
    buyers: int = 2_000,
    seed: int = 1,
    progress: Callable[[str], None] = lambda message: None,
) -> SyntheticCounts:
    """Make the database hold at least the given numbers of synthetic rows.

    Deterministic for a given seed; rows already present (by their synthetic
    keys) are kept, so a rerun with larger numbers only adds the difference.
    Orders are written as historical records (no stock allocation).

    Raises ImproperlyConfigured where ``PEKEN_SYNTHETIC_DATA_ALLOWED`` is off
    (production, unless the benchmark turns it on for its own database).
    """
    if not getattr(settings, "PEKEN_SYNTHETIC_DATA_ALLOWED", False):
        raise ImproperlyConfigured(
            "Synthetic data is disabled in these settings (PEKEN_SYNTHETIC_DATA_ALLOWED)."
        )
    prefix = f"SYN{seed}-"
    with transaction.atomic():
        seller_ids = _sellers(sellers, prefix)
        progress(f"{len(seller_ids)} sellers")
        _products(products, prefix, seller_ids)
        progress(f"{products} products")
    with transaction.atomic():
        buyer_ids = _buyers(buyers, prefix.lower())
        added = _orders(orders, lines_per_order, prefix, buyer_ids)
        progress(f"{added} orders added")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Product, ProductCategory, StockRecord, Partner, Order, Line):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    search_words_refresh()
    return SyntheticCounts(
        sellers=len(seller_ids),
        products=Product.objects.filter(upc__startswith=prefix).count(),
        buyers=len(buyer_ids),
        orders=Order.objects.filter(number__startswith=prefix).count(),
        lines=Line.objects.filter(order__number__startswith=prefix).count(),
    )
