"""Reads of the storefront catalogue.

Every listing comes from one filtered, paginated query plus a fixed set of
prefetches, so its query count depends on neither the page size nor the
catalogue size. Full-text search uses the trigger-maintained
``Product.search_vector`` (GIN index) on PostgreSQL, stemmed in Indonesian and
as written, with pg_trgm to correct misspelt words; elsewhere (the zero-setup
SQLite run) it falls back to substring matching, titles first.

Catalogue and category listings default to the "Rekomendasi" ordering: shops
near the buyer first, shops with few recent orders a reserved share of every
page, at most a few products per shop on the first page. The rule and its
settings are written down in exposure/selectors.py, which ranks the listing.
"""

import hashlib
import re
from functools import reduce
from operator import and_

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextChoices,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import (
    LISTING_IN_QUEUE,
    LISTING_ON_SALE,
    ListingStatus,
    ReportStatus,
    SupplyKind,
)
from catalogue_ext.reviews.selectors import approved_review_count
from exposure.selectors import CATALOGUE_LISTING, RecommendedListing, recommended_listing
from sellers.abstract_models import SellerStatus

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")
ProductImage = get_model("catalogue", "ProductImage")
ListingReport = get_model("catalogue", "ListingReport")
ListingDecision = get_model("catalogue", "ListingDecision")
SearchWord = get_model("catalogue", "SearchWord")

# PostgreSQL's Indonesian snowball stemmer ("bermain", "mainan" -> "main"); the
# trigger (migration 0037) also indexes every word as written, for prefixes.
SEARCH_CONFIG = "indonesian"
PREFIX_CONFIG = "simple"
MAX_PER_PAGE = 100
# A search with this many results or fewer is offered a correction ("Mungkin maksud Anda").
FEW_RESULTS = 3
# Words of a query corrected at most (the rest stay as typed).
CORRECTED_WORDS = 6
SUGGESTED_PRODUCTS = 6
SUGGESTED_CATEGORIES = 3
SUGGEST_MIN_CHARS = 2


class ProductSort(TextChoices):
    RELEVANCE = "relevansi", _("Paling relevan")
    RECOMMENDED = "rekomendasi", _("Rekomendasi")
    NEWEST = "terbaru", _("Terbaru")
    PRICE_ASC = "harga-naik", _("Harga terendah")
    PRICE_DESC = "harga-turun", _("Harga tertinggi")
    TITLE = "nama", _("Nama A-Z")


def _category_mapped_kind(category) -> str | None:
    """The kind PEKEN_SUPPLY_KIND_BY_CATEGORY gives a category or its nearest parent, if any."""
    by_slug = settings.PEKEN_SUPPLY_KIND_BY_CATEGORY
    for node in [category, *reversed(category.get_ancestors())]:
        if node.slug in by_slug:
            return by_slug[node.slug]
    return None


def category_supply_kind(category) -> str:
    """A category's kind for tax (PEKEN_SUPPLY_KIND_BY_CATEGORY, nearest parent first), else goods."""
    return (_category_mapped_kind(category) if category is not None else None) or SupplyKind.GOODS


def product_supply_kind(product) -> str:
    """A listing's kind for tax: the seller's choice, else its category's (category_supply_kind), else goods.

    An official purchase's tax (procurement/tax.py) reads it per order line: goods carry PPh 22,
    catering, printing and other services PPh 23 under their own codes.
    """
    if product is None:
        return SupplyKind.GOODS
    if product.supply_kind:
        return product.supply_kind
    for category in product.get_categories().all():
        if kind := _category_mapped_kind(category):
            return kind
    return SupplyKind.GOODS


def products_per_page(requested: str | None) -> int:
    """Page size from ``?per_page=``, bounded so a URL cannot ask for everything."""
    try:
        size = int(requested or settings.OSCAR_PRODUCTS_PER_PAGE)
    except ValueError:
        size = settings.OSCAR_PRODUCTS_PER_PAGE
    return max(1, min(size, MAX_PER_PAGE))


def products_on_sale() -> QuerySet:
    """Public, canonical products that curation lets be sold and a verified shop sells."""
    return (
        Product.objects.browsable()
        .filter(listing_status__in=LISTING_ON_SALE)
        .filter(Exists(_on_sale_stock().filter(product=OuterRef("pk"))))
    )


def _listing_queryset() -> QuerySet:
    """Public, canonical products with what a product card renders, prefetched.

    Leaner than Oscar's base_queryset: a card shows no options or variants,
    and never the long texts or the search vector, so those are not loaded.
    """
    return (
        products_on_sale()
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
        qs = qs.annotate(
            min_price=Min("stockrecords__price", filter=Q(stockrecords__partner__status=SellerStatus.ACTIVE))
        )
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
        .prefetch_related(
            "images",
            "categories",
            "stockrecords__partner",
            Prefetch("decisions", queryset=ListingDecision.objects.select_related("actor")),
        )
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
        .annotate(
            on_sale=Exists(_on_sale_stock().filter(product=OuterRef("pk")))
            & Q(listing_status__in=LISTING_ON_SALE)
        )
        .annotate(num_approved_reviews=approved_review_count())
        .prefetch_related(
            "images",
            "categories",
            Prefetch("stockrecords", queryset=_on_sale_stock().select_related("partner")),
        )
    )


def product_page_state(*, product_id: int) -> str | None:
    """A fingerprint of what changes on a product's page (one query); None if there is no such product.

    The product's own fields and rating (a save moves ``date_updated``), its
    curation status, its stock records' prices, stock and allocations (an
    allocation updates no timestamp) and its pictures. The page cache keys a
    product page by it (peken/page_cache.py), so a shared copy is never stale
    in any of these. Plain SQL: it runs on every shared product page, where
    building the ORM's query cost more than running it. PostgreSQL only (its
    arrays); elsewhere None, so product pages are rendered every time.
    """
    if connection.vendor != "postgresql":
        return None
    sql = PRODUCT_STATE_SQL.format(
        product=Product._meta.db_table, stock=StockRecord._meta.db_table, image=ProductImage._meta.db_table
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [product_id])
        row = cursor.fetchone()
    return None if row is None else hashlib.sha256(repr(row).encode()).hexdigest()[:24]


PRODUCT_STATE_SQL = """
SELECT p.date_updated, p.rating, p.listing_status,
       (SELECT array_agg(ARRAY[s.id, s.price, s.num_in_stock, s.num_allocated] ORDER BY s.id)
        FROM {stock} s WHERE s.product_id = p.id),
       (SELECT array_agg(i.id ORDER BY i.id) FROM {image} i WHERE i.product_id = p.id)
FROM {product} p WHERE p.id = %s
"""


def _sold_by(qs: QuerySet, *, seller=None, kecamatan: str | None = None) -> QuerySet:
    """Only products on sale from this shop, or from shops in this kecamatan."""
    shops = {"partner": seller} if seller is not None else {}
    if kecamatan:
        shops["partner__kecamatan"] = kecamatan
    if not shops:
        return qs
    return qs.filter(Exists(_on_sale_stock().filter(product=OuterRef("pk"), **shops)))


def product_list(
    *,
    category: Category | None = None,
    sort: str = ProductSort.NEWEST,
    made_locally: bool | None = None,
    kecamatan: str | None = None,
    seller=None,
    buyer_kecamatan: str | None = None,
) -> QuerySet | RecommendedListing:
    """Products for the catalogue page, one category and its subcategories, or one shop.

    Sorted by Rekomendasi, a listing favours shops in ``buyer_kecamatan``; one
    shop's own page has no other shops to share with, so it shows newest first.
    The catalogue and a category without other filters are the listings the
    beat task ranks ahead (services.recommended_listings_refresh).
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
        unfiltered = not kecamatan and made_locally is None
        listing = (CATALOGUE_LISTING if category is None else category.pk) if unfiltered else None
        return recommended_listing(
            qs, stock=_on_sale_stock(), buyer_kecamatan=buyer_kecamatan, listing=listing
        )
    return _sorted(qs, sort)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _search_query(words: list[str], *, weight: str = "") -> SearchQuery:
    """Every word must match, as a prefix ('ber pre' finds 'Beras Premium') or by its stem
    ('minuman' finds 'Air Minum Galon'); with ``weight`` "A", in the title."""
    # Letters and digits hold none of tsquery's operators, so they are safe in a raw query.
    return reduce(
        and_,
        (
            SearchQuery(f"{word}:*{weight}", config=PREFIX_CONFIG, search_type="raw")
            | SearchQuery(f"{word}:{weight}" if weight else word, config=SEARCH_CONFIG, search_type="raw")
            for word in words
        ),
    )


def _title_hits(words: list[str]) -> Case:
    """How many of the words the title holds: SQLite's stand-in for ranking."""
    return sum(
        (
            Case(When(title__icontains=word, then=Value(1)), default=Value(0), output_field=IntegerField())
            for word in words
        ),
        Value(0),
    )


def _title_leads(words: list[str]) -> Q:
    """The title starts with the first word: "beras" is rice ("Beras Merah") before a snack
    made of it ("Jipang Beras")."""
    return Q(title__istartswith=words[0])


def product_search(
    *,
    query: str,
    sort: str = ProductSort.RELEVANCE,
    kecamatan: str | None = None,
    buyer_kecamatan: str | None = None,
) -> QuerySet | RecommendedListing:
    """Products matching every word of ``query`` in title or description.

    Sorted by relevance, products whose title holds the words come before
    those that only mention them in their description, and titles that start
    with the first word lead.
    """
    qs = _sold_by(_listing_queryset(), kecamatan=kecamatan)
    words = _words(query)
    if not words:
        return qs.none()
    if connection.vendor == "postgresql":
        search = _search_query(words)
        qs = qs.filter(search_vector=search)
        if sort == ProductSort.RECOMMENDED:
            return recommended_listing(qs, stock=_on_sale_stock(), buyer_kecamatan=buyer_kecamatan)
        if sort == ProductSort.RELEVANCE:
            # ts_rank alone lets a long description repeating the words tie with a title.
            return qs.annotate(
                in_title=Q(search_vector=_search_query(words, weight="A")),
                title_leads=_title_leads(words),
                rank=SearchRank(F("search_vector"), search),
            ).order_by("-in_title", "-title_leads", "-rank", "-id")
        return _sorted(qs, sort)
    for word in words:
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if sort == ProductSort.RELEVANCE:
        return qs.annotate(title_hits=_title_hits(words), title_leads=_title_leads(words)).order_by(
            "-title_hits", "-title_leads", "-date_created", "-id"
        )
    return _sorted(qs, sort)


def search_correction(*, query: str) -> str | None:
    """``query`` with each word replaced by the most similar word of the titles on sale.

    Similarity is pg_trgm's trigram similarity against SearchWord (rebuilt by
    services.search_words_refresh), so one query of a few milliseconds
    whatever the catalogue size; ties go to the word more titles hold. A word
    like no title word stays as typed. None when no word changes, and off
    PostgreSQL.
    """
    words = _words(query)
    if connection.vendor != "postgresql" or not words:
        return None
    closest = [
        SearchWord.objects.filter(word__trigram_similar=word)
        .annotate(position=Value(position), similarity=TrigramSimilarity("word", Value(word)))
        .order_by("-similarity", "-products", "word")
        .values_list("position", "word")[:1]
        for position, word in enumerate(words[:CORRECTED_WORDS])
    ]
    best = dict(closest[0].union(*closest[1:], all=True))
    corrected = [best.get(position, word) for position, word in enumerate(words)]
    return " ".join(corrected) if corrected != words else None


def search_suggestions(*, prefix: str) -> dict[str, list[str]]:
    """A few product titles and category names for what is typed in the search box so far.

    Cached per normalised prefix for ``PEKEN_SEARCH_SUGGEST_CACHE_SECONDS``:
    every keystroke of every shopper asks, and the answer barely changes.
    Two queries on a miss, none on a hit or for fewer than two characters.
    """
    words = _words(prefix)
    normalised = " ".join(words)
    if len(normalised) < SUGGEST_MIN_CHARS:
        return {"products": [], "categories": []}
    key = f"peken:search-suggest:{hashlib.sha256(normalised.encode()).hexdigest()}"
    return cache.get_or_set(key, lambda: _suggestions(words), settings.PEKEN_SEARCH_SUGGEST_CACHE_SECONDS)


def _suggestions(words: list[str]) -> dict[str, list[str]]:
    products = products_on_sale()
    if connection.vendor == "postgresql":
        # Weight A: the words as typed, as prefixes of title words only.
        titles = " & ".join(f"{word}:*A" for word in words)
        products = products.filter(search_vector=SearchQuery(titles, config=PREFIX_CONFIG, search_type="raw"))
    else:
        products = products.filter(*(Q(title__icontains=word) for word in words))
    categories = Category.objects.filter(*(Q(name__icontains=word) for word in words), is_public=True)
    return {
        "products": list(
            products.order_by("title").values_list("title", flat=True).distinct()[:SUGGESTED_PRODUCTS]
        ),
        "categories": list(
            categories.order_by("depth", "name").values_list("name", flat=True)[:SUGGESTED_CATEGORIES]
        ),
    }
