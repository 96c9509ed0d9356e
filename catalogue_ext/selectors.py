"""Reads of the storefront catalogue.

Every listing comes from one filtered, paginated query plus a fixed set of
prefetches, so its query count depends on neither the page size nor the
catalogue size. Full-text search uses the trigger-maintained
``Product.search_vector`` (GIN index) on PostgreSQL and falls back to plain
substring matching elsewhere (the zero-setup SQLite run).

Catalogue and category listings default to the "Rekomendasi" ordering: shops
near the buyer first, shops with few recent orders a reserved share of every
page, at most a few products per shop on the first page. The rule and its
settings are written down in exposure/selectors.py, which ranks the listing.
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import LISTING_IN_QUEUE, LISTING_ON_SALE, ListingStatus, ReportStatus
from catalogue_ext.reviews.selectors import approved_review_count
from exposure.selectors import RecommendedListing, recommended_listing
from sellers.abstract_models import SellerStatus

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")
ListingReport = get_model("catalogue", "ListingReport")
ListingDecision = get_model("catalogue", "ListingDecision")

SEARCH_CONFIG = "simple"
MAX_PER_PAGE = 100


class ProductSort(TextChoices):
    RELEVANCE = "relevansi", _("Paling relevan")
    RECOMMENDED = "rekomendasi", _("Rekomendasi")
    NEWEST = "terbaru", _("Terbaru")
    PRICE_ASC = "harga-naik", _("Harga terendah")
    PRICE_DESC = "harga-turun", _("Harga tertinggi")
    TITLE = "nama", _("Nama A-Z")


def products_per_page(requested: str | None) -> int:
    """Page size from ``?per_page=``, bounded so a URL cannot ask for everything."""
    try:
        size = int(requested or settings.OSCAR_PRODUCTS_PER_PAGE)
    except ValueError:
        size = settings.OSCAR_PRODUCTS_PER_PAGE
    return max(1, min(size, MAX_PER_PAGE))


def _listing_queryset() -> QuerySet:
    """Public, canonical products with what a product card renders, prefetched.

    Leaner than Oscar's base_queryset: a card shows no options or variants,
    and never the long texts or the search vector, so those are not loaded.
    """
    return (
        Product.objects.browsable()
        .filter(listing_status__in=LISTING_ON_SALE)
        .filter(Exists(_on_sale_stock().filter(product=OuterRef("pk"))))
        .select_related("product_class")
        .defer("description", "meta_title", "meta_description", "search_vector")
        # Oscar's num_approved_reviews, for the card's "★ 4,5 (12)", without a query per card.
        .annotate(num_approved_reviews=approved_review_count())
        .prefetch_related(
            "images", Prefetch("stockrecords", queryset=_on_sale_stock().select_related("partner"))
        )
    )


def _sorted(qs: QuerySet, sort: str) -> QuerySet:
    if sort in (ProductSort.PRICE_ASC, ProductSort.PRICE_DESC):
        qs = qs.annotate(min_price=Min("stockrecords__price",
                                       filter=Q(stockrecords__partner__status=SellerStatus.ACTIVE)))
        price = F("min_price").asc(nulls_last=True)
        if sort == ProductSort.PRICE_DESC:
            price = F("min_price").desc(nulls_last=True)
        return qs.order_by(price, "-id")
    if sort == ProductSort.TITLE:
        return qs.order_by("title", "id")
    return qs.order_by("-date_created", "-id")


def _on_sale_stock() -> QuerySet:
    """Stock records of shops that are verified and not suspended: the only ones on sale."""
    return StockRecord.objects.filter(partner__status=SellerStatus.ACTIVE)


def listing_reports_open() -> QuerySet:
    """Reports waiting for a verifier, oldest first, with their product, shop and reporter."""
    return (
        ListingReport.objects.filter(status=ReportStatus.OPEN)
        .select_related("product", "reporter")
        .prefetch_related("product__stockrecords__partner")
        .order_by("date_created", "id")
    )


def listings_for_review() -> QuerySet:
    """New and changed listings waiting for a verifier: held ones first, then the longest waiting."""
    return (
        Product.objects.filter(listing_status__in=LISTING_IN_QUEUE)
        .select_related("product_class")
        .prefetch_related("images", "categories", "stockrecords__partner",
                          Prefetch("decisions", queryset=ListingDecision.objects.select_related("actor")))
        .annotate(held_first=Q(listing_status=ListingStatus.HELD))
        .order_by("-held_first", "date_updated", "id")
    )


def category_roots() -> QuerySet:
    """The public top-level categories, in tree order."""
    return Category.objects.filter(depth=1, is_public=True).order_by("path")


def product_detail_queryset() -> QuerySet:
    """Products with what their page shows (pictures, stock, sellers, categories) loaded up front."""
    return (
        Product.objects.select_related("product_class")
        # On sale: curation lets it be sold and a verified shop sells it.
        .annotate(on_sale=Exists(_on_sale_stock().filter(product=OuterRef("pk")))
                  & Q(listing_status__in=LISTING_ON_SALE))
        .annotate(num_approved_reviews=approved_review_count())
        .prefetch_related(
            "images", "categories",
            Prefetch("stockrecords", queryset=_on_sale_stock().select_related("partner")),
        )
    )


def _sold_by(qs: QuerySet, *, seller=None, kecamatan: str | None = None) -> QuerySet:
    """Only products on sale from this shop, or from shops in this kecamatan."""
    shops = {"partner": seller} if seller is not None else {}
    if kecamatan:
        shops["partner__kecamatan"] = kecamatan
    if not shops:
        return qs
    return qs.filter(Exists(_on_sale_stock().filter(product=OuterRef("pk"), **shops)))


def product_list(
    *, category: Category | None = None, sort: str = ProductSort.NEWEST, made_locally: bool | None = None,
    kecamatan: str | None = None, seller=None, buyer_kecamatan: str | None = None,
) -> QuerySet | RecommendedListing:
    """Products for the catalogue page, one category and its subcategories, or one shop.

    Sorted by Rekomendasi, a listing favours shops in ``buyer_kecamatan``; one
    shop's own page has no other shops to share with, so it shows newest first.
    """
    qs = _sold_by(_listing_queryset(), seller=seller, kecamatan=kecamatan)
    if made_locally is not None:
        qs = qs.filter(made_locally=made_locally)
    if category is not None:
        in_tree = ProductCategory.objects.filter(
            product=OuterRef("pk"),
            category__path__startswith=category.path,
        )
        qs = qs.filter(Exists(in_tree))
    if sort == ProductSort.RECOMMENDED and seller is None:
        return recommended_listing(qs, stock=_on_sale_stock(), buyer_kecamatan=buyer_kecamatan)
    return _sorted(qs, sort)


def _tsquery(query: str) -> str:
    """Every word must match, each as a prefix: 'ber pre' finds 'Beras Premium'."""
    words = re.findall(r"\w+", query.lower())
    return " & ".join(f"{word}:*" for word in words)


def product_search(
    *, query: str, sort: str = ProductSort.RELEVANCE, kecamatan: str | None = None,
    buyer_kecamatan: str | None = None,
) -> QuerySet | RecommendedListing:
    """Products matching every word of ``query`` in title or description."""
    qs = _sold_by(_listing_queryset(), kecamatan=kecamatan)
    if not query:
        return qs.none()
    if connection.vendor == "postgresql":
        tsquery = _tsquery(query)
        if not tsquery:
            return qs.none()
        search = SearchQuery(tsquery, config=SEARCH_CONFIG, search_type="raw")
        qs = qs.filter(search_vector=search)
        if sort == ProductSort.RECOMMENDED:
            return recommended_listing(qs, stock=_on_sale_stock(), buyer_kecamatan=buyer_kecamatan)
        if sort == ProductSort.RELEVANCE:
            return qs.annotate(rank=SearchRank(F("search_vector"), search)).order_by("-rank", "-id")
        return _sorted(qs, sort)
    for word in query.split():
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return qs.order_by("-date_created", "-id") if sort == ProductSort.RELEVANCE else _sorted(qs, sort)
