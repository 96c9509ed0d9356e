"""Demo data: a believable Surabaya marketplace from the JSON files in fixtures/.

Loads the category tree, sellers (as Oscar partners whose shop address names
their kelurahan and kecamatan, from the city's 31 in fixtures/surabaya.json),
products with stock and a locally drawn picture, and the demo accounts. Every
row is found by a natural key and written only if it is missing: running the
loader again (every ``make run``) keeps whatever was changed since, prices,
stock, titles, shops and passwords included. It refuses to run where
``PEKEN_DEMO_DATA_ALLOWED`` is off (production).
"""

import json
import textwrap
import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sites.models import Site
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from oscar.core.loading import get_model
from PIL import Image, ImageDraw, ImageFont

from buyers.services import buyer_kecamatan_set
from catalogue_ext.services import recommended_listings_refresh, search_words_refresh
from opendata.services import bulk_file_build
from peken import city
from procurement.demo import procurement_demo_load
from sellers import permissions
from sellers.abstract_models import SellerKind, SellerStatus

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
ProductImage = get_model("catalogue", "ProductImage")
Partner = get_model("partner", "Partner")
PartnerAddress = get_model("partner", "PartnerAddress")
SellerDelivery = get_model("shipping", "SellerDelivery")
StockRecord = get_model("partner", "StockRecord")
Country = get_model("address", "Country")
UserAddress = get_model("address", "UserAddress")
User = get_user_model()

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
UPC_PREFIX = "DEMO-"
# Printed by `manage.py peken_demo`; the accounts exist only where demo data is allowed.
SHOPPER = {"email": "pembeli@peken.local", "password": "pembeli-peken-2026", "name": ("Siti", "Rahayu")}
ADMIN = {"email": "admin@peken.local", "password": "admin-peken-2026", "name": ("Budi", "Santoso")}
VERIFIER = {
    "email": "verifikator@peken.local",
    "password": "verifikator-peken-2026",
    "name": ("Dewi", "Lestari"),
}  # Dinkopdag: verifies shops
SELLER = {
    "email": "penjual@peken.local",
    "password": "penjual-peken-2026",
    "name": ("Siti", "Aminah"),
}  # owner of the first demo shop: uses the seller centre
# One colour per top-level category, so product pictures tell the shelves apart.
PALETTE = ["#b23a48", "#2a7f62", "#c47f17", "#1f5f8b", "#7d4f9e", "#a34f2c", "#3c6e47", "#4a5d73"]


@dataclass(frozen=True)
class DemoCounts:
    kecamatan: int
    categories: int
    sellers: int
    products: int


@cache
def fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _categories() -> tuple[dict[str, Category], dict[str, str]]:
    """The category tree; returns leaves by name and each leaf's top-level name."""
    leaves, top_of = {}, {}
    for root_data in fixture("categories.json"):
        root = Category.objects.filter(depth=1, name=root_data["name"]).first()
        if root is None:
            root = Category.objects.add_root(
                create_kwargs={
                    "name": root_data["name"],
                    "is_public": True,
                    "description": root_data.get("description", ""),
                }
            )
        for child_data in root_data.get("children", []):
            child = Category.objects.get_children(root).filter(name=child_data["name"]).first()
            if child is None:
                child = Category.objects.add_child(
                    root,
                    create_kwargs={
                        "name": child_data["name"],
                        "is_public": True,
                        "description": child_data.get("description", ""),
                    },
                )
            leaves[child.name] = child
            top_of[child.name] = root.name
    return leaves, top_of


def _seller_tax(facts: dict) -> dict:
    """A demo shop's tax registration (PKP, NPWP, PP 55, PBJT) as Partner fields."""
    fields = {k: v for k, v in facts.items() if k not in ("pp55_valid_until", "omzet_statement")}
    if "pp55_valid_until" in facts:
        fields["pp55_valid_until"] = date.fromisoformat(facts["pp55_valid_until"])
    if facts.get("omzet_statement"):
        fields["omzet_statement_year"] = timezone.localdate().year
    return fields


def _sellers(country: Country) -> dict[str, list[Partner]]:
    """Sellers as partners with their shop address; returns them by top-level category."""
    by_category: dict[str, list[Partner]] = {}
    for data in fixture("sellers.json"):
        # Demo shops are already verified (status aktif), so their goods are on sale.
        partner, created = Partner.objects.get_or_create(
            code=slugify(data["name"]),
            defaults={
                "name": data["name"],
                "status": SellerStatus.ACTIVE,
                "kind": SellerKind.KELONTONG if data["kind"] == "toko_kelontong" else SellerKind.UMKM,
                "owner_name": data["owner"],
                "phone": data["phone"],
                "kecamatan": data["kecamatan"],
                "kelurahan": data["kelurahan"],
                "made_locally": data["made_locally"],
                **_seller_tax(data.get("tax", {})),
            },
        )
        for name in data["categories"]:
            by_category.setdefault(name, []).append(partner)
        if not created:
            continue
        owner_first, _, owner_last = data["owner"].partition(" ")
        PartnerAddress.objects.get_or_create(
            partner=partner,
            defaults={
                "first_name": owner_first,
                "last_name": owner_last,
                "line1": data["street"],
                "line2": f"Kel. {data['kelurahan']}",
                "line3": f"Kec. {data['kecamatan']}",
                "line4": city.city_name(),
                "state": "Jawa Timur",
                "postcode": city.kecamatan_postcode(data["kecamatan"]),
                "country": country,
            },
        )
        # Every demo shop delivers in its own kecamatan and nearby; one in three also far.
        step = len(data["name"]) % 3
        SellerDelivery.objects.get_or_create(
            seller=partner,
            defaults={
                "local_fee": Decimal(3000 + 1000 * step),
                "near_fee": Decimal(8000 + 2000 * step),
                "middle_fee": Decimal(12000 + 3000 * step),
                "far_fee": Decimal(20000) if step == 2 else None,
            },
        )
    return by_category


def product_picture(*, title: str, category: str, colour: str) -> bytes:
    """A 600x600 JPEG card: the category colour, a basket mark and the product's name."""
    image = Image.new("RGB", (600, 600), colour)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((30, 30, 570, 570), radius=36, fill="#fdf8f0")
    draw.rounded_rectangle((30, 30, 570, 130), radius=36, fill=colour)
    draw.rectangle((30, 94, 570, 130), fill=colour)
    draw.text((60, 58), category.upper(), font=ImageFont.load_default(size=30), fill="#fdf8f0")
    # A simple basket, Peken's mark, so the picture reads as a product photo placeholder.
    draw.arc((215, 160, 385, 300), start=180, end=360, fill=colour, width=14)
    draw.polygon([(180, 240), (420, 240), (390, 340), (210, 340)], fill=colour)
    lines = textwrap.wrap(title, width=22)[:4]
    y = 380
    for line in lines:
        draw.text((300, y), line, font=ImageFont.load_default(size=34), fill="#2b2b2b", anchor="ma")
        y += 44
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()


def _products(
    leaves: dict[str, Category],
    top_of: dict[str, str],
    sellers_by_category: dict[str, list[Partner]],
    product_class: ProductClass,
) -> int:
    colours = {
        name: PALETTE[i % len(PALETTE)]
        for i, name in enumerate(c["name"] for c in fixture("categories.json"))
    }
    turn: dict[str, int] = {}
    count = 0
    for data in fixture("products.json"):
        category = leaves[data["category"]]
        top = top_of[data["category"]]
        sellers = sellers_by_category[top]
        # Round-robin over the sellers of the shelf: every seller gets listings.
        seller = sellers[turn.get(top, 0) % len(sellers)]
        turn[top] = turn.get(top, 0) + 1
        upc = UPC_PREFIX + slugify(data["title"])[: 64 - len(UPC_PREFIX)]
        product, created = Product.objects.get_or_create(
            upc=upc,
            defaults={
                "title": data["title"],
                "description": data["description"],
                "product_class": product_class,
                "structure": Product.STANDALONE,
                "is_public": True,
                "unit": data["unit"],
                "min_order_quantity": data["min_order_quantity"],
                "made_locally": data["made_locally"],
                "halal_certificate_number": _halal_number(data["title"]) if data["halal"] else "",
            },
        )
        count += 1
        if not created:
            continue
        ProductCategory.objects.get_or_create(product=product, category=category)
        StockRecord.objects.get_or_create(
            product=product,
            partner=seller,
            defaults={"partner_sku": upc, "price": Decimal(data["price"]), "num_in_stock": data["stock"]},
        )
        if not product.images.exists():
            picture = product_picture(title=data["title"], category=data["category"], colour=colours[top])
            ProductImage.objects.create(
                product=product,
                caption=data["title"],
                display_order=0,
                original=ContentFile(picture, name=f"{product.slug or upc.lower()}.jpg"),
            )
    return count


def _halal_number(title: str) -> str:
    """A stable, plausibly formatted certificate number (BPJPH style)."""
    return f"ID35110000{zlib.crc32(title.encode()) % 10**8:08d}"


def _account(account: dict, *, staff: bool) -> User | None:
    """The demo account, created with its printed password; None if it already exists (kept as is)."""
    if User.objects.filter(email=account["email"]).exists():
        return None
    first_name, last_name = account["name"]
    user = User(
        username=account["email"].split("@")[0],
        email=account["email"],
        first_name=first_name,
        last_name=last_name,
        is_staff=staff,
        is_superuser=staff,
        is_active=True,
    )
    user.set_password(account["password"])
    user.save()
    return user


def _accounts(country: Country) -> None:
    _account(ADMIN, staff=True)
    verifier = _account(VERIFIER, staff=False)
    if verifier is not None:
        app_label, codename = permissions.VERIFY_SELLER.split(".")
        verifier.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    seller = _account(SELLER, staff=False)
    if seller is not None:
        # The demo seller runs one shop, and only through the seller centre: never
        # partner.dashboard_access, which would open Oscar's dashboard to them.
        Partner.objects.get(code=slugify(fixture("sellers.json")[0]["name"])).users.add(seller)
    shopper = _account(SHOPPER, staff=False)
    if shopper is not None:
        UserAddress.objects.create(
            user=shopper,
            first_name="Siti",
            last_name="Rahayu",
            line1="Jl. Kalibokor Selatan No. 12",
            line2="Kel. Pucang Sewu",
            line3="Kec. Gubeng",
            line4="Surabaya",
            state="Jawa Timur",
            postcode="60283",
            country=country,
            phone_number="+6281234567890",
            is_default_for_shipping=True,
            is_default_for_billing=True,
        )
        # Siti lives in Gubeng: Rekomendasi shows Gubeng's shops to her first.
        buyer_kecamatan_set(user=shopper, kecamatan="Gubeng", actor=None)


def demo_load() -> DemoCounts:
    """Create whatever of the demo marketplace is missing; idempotent, and never resets an edit.

    Raises ImproperlyConfigured where demo data is not allowed (production),
    so demo accounts with published passwords can never exist there.
    """
    if not getattr(settings, "PEKEN_DEMO_DATA_ALLOWED", False):
        raise ImproperlyConfigured("Demo data is disabled in these settings (PEKEN_DEMO_DATA_ALLOWED).")
    with transaction.atomic():
        site, _ = Site.objects.get_or_create(
            pk=settings.SITE_ID, defaults={"domain": "127.0.0.1:8000", "name": "Peken Surabaya"}
        )
        if site.domain == "example.com":  # Django's placeholder: links in emails and QR codes point here
            site.domain, site.name = "127.0.0.1:8000", "Peken Surabaya"
            site.save(update_fields=["domain", "name"])
        country = city.country()
        product_class, _ = ProductClass.objects.get_or_create(
            slug="barang", defaults={"name": "Barang", "track_stock": True, "requires_shipping": True}
        )
        leaves, top_of = _categories()
        sellers_by_category = _sellers(country)
        products = _products(leaves, top_of, sellers_by_category, product_class)
        _accounts(country)
        procurement_demo_load()  # agencies, their officials and budgets
        search_words_refresh()  # so "berass" is corrected at once, not at the next beat
        recommended_listings_refresh()  # listings in Rekomendasi order from the first page
    # after the commit, once the purchases' documents are issued: the open data's bulk file from
    # the first visit, not the first night
    bulk_file_build()
    return DemoCounts(
        kecamatan=len(city.kecamatan_names()),
        categories=Category.objects.count(),
        sellers=len(fixture("sellers.json")),
        products=products,
    )
