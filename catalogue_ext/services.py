"""Writes about listings: sellers' products, their curation, shoppers' reports and how verifiers settle them.

Curation rule (post-moderation with holds):

* A new listing of an active shop goes on sale at once and waits in the
  verifiers' queue (status ``menunggu``).
* A listing whose title or description holds a banned keyword
  (``PEKEN_HELD_KEYWORDS``, whole words, any case) or that sits in a banned
  category (``PEKEN_HELD_CATEGORIES``, by name, parents included) is held off
  sale (``ditahan``) until a verifier approves it.
* A verifier approves (``disetujui``, on sale) or rejects with a reason
  (``ditolak``, off sale). Every move is a ListingDecision row: who, when, why.
* A change that matters (title, description, category, pictures, kind) sends the
  listing back to the queue; it is held if it now matches the banned rules,
  or if it was held or rejected before (editing cannot sneak a refused
  listing back on sale). Price and stock changes do not.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sites.models import Site
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from catalogue_ext import selectors, tasks
from catalogue_ext.abstract_models import LISTING_IN_QUEUE, REPORT_TRANSITIONS, ListingStatus, ReportStatus
from exposure import services as exposure_services
from peken.html import seller_html_clean
from peken.mail import mail_users
from peken.page_cache import page_cache_invalidate
from sellers.abstract_models import StockUpdateSource

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
Category = get_model("catalogue", "Category")
ListingReport = get_model("catalogue", "ListingReport")
ListingDecision = get_model("catalogue", "ListingDecision")
SearchWord = get_model("catalogue", "SearchWord")
StockRecord = get_model("partner", "StockRecord")
StockUpdate = get_model("partner", "StockUpdate")

# The moves curation allows. Submissions move into the queue (menunggu/ditahan);
# a verifier's review moves out of it (disetujui/ditolak).
LISTING_TRANSITIONS = {
    "": {ListingStatus.PENDING, ListingStatus.HELD},
    ListingStatus.PENDING: {
        ListingStatus.APPROVED,
        ListingStatus.REJECTED,
        ListingStatus.PENDING,
        ListingStatus.HELD,
    },
    ListingStatus.HELD: {ListingStatus.APPROVED, ListingStatus.REJECTED, ListingStatus.HELD},
    ListingStatus.APPROVED: {ListingStatus.PENDING, ListingStatus.HELD},
    ListingStatus.REJECTED: {ListingStatus.HELD},
}
REVIEW_OUTCOMES = (ListingStatus.APPROVED, ListingStatus.REJECTED)
# What a seller may change without the listing being checked again.
# The kind (goods or a service) decides an official purchase's tax, so a verifier sees its change too.
CONTENT_FIELDS = ("title", "description", "category", "images", "supply_kind")
PRODUCT_CLASS_SLUG = "barang"


class ListingError(Exception):
    """A curation move the transition table refuses, or a review without what it needs."""


def _phrase_pattern(phrase: str) -> re.Pattern:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def listing_held_reasons(*, title: str, description: str, categories) -> list[str]:
    """Why a listing must be held for review: the banned keywords and categories it matches.

    Keywords match whole words in any case ("Rokok Kretek" matches "rokok",
    "rokokan" does not); categories match by name, their parents included.
    """
    reasons = []
    text = f"{title}\n{description}"
    for phrase in settings.PEKEN_HELD_KEYWORDS:
        if phrase.strip() and _phrase_pattern(phrase.strip()).search(text):
            reasons.append(_("kata terlarang “%(word)s”") % {"word": phrase.strip()})
    banned = {name.strip().casefold() for name in settings.PEKEN_HELD_CATEGORIES if name.strip()}
    for category in categories:
        names = {c.name.casefold() for c in category.get_ancestors_and_self()}
        for name in sorted(names & banned):
            reasons.append(_("kategori terlarang “%(name)s”") % {"name": name})
    return reasons


def listing_status_change(
    *, product: Product, actor: AbstractBaseUser | None, status: str, reason: str = ""
) -> ListingDecision:
    """Move a listing to ``status``, record who did it and why, and drop the shared pages.

    The product row is locked so two verifiers (or a verifier and the seller)
    cannot both move it from the same state. A verifier's approval or
    rejection is emailed to the shop through Celery after commit. Raises
    ListingError for a move not in LISTING_TRANSITIONS.
    """
    with transaction.atomic():
        locked = Product.objects.select_for_update().only("pk", "listing_status").get(pk=product.pk)
        old = locked.listing_status
        if status not in LISTING_TRANSITIONS.get(old, set()):
            raise ListingError(
                _("Status produk tidak bisa diubah dari %(old)s ke %(new)s.")
                % {"old": ListingStatus(old).label if old else "-", "new": ListingStatus(status).label}
            )
        decision = ListingDecision.objects.create(
            product_id=product.pk, actor=actor, old_status=old, new_status=status, reason=reason
        )
        Product.objects.filter(pk=product.pk).update(listing_status=status, date_updated=timezone.now())
        product.listing_status = status
        transaction.on_commit(page_cache_invalidate)
        if status in REVIEW_OUTCOMES:
            transaction.on_commit(lambda: tasks.listing_decision_notify.delay(decision.pk))
    return decision


def listing_submit(
    *, product: Product, actor: AbstractBaseUser, changed: list[str], new: bool = False
) -> ListingDecision | None:
    """Put a new or changed listing in the verifiers' queue, held or on sale by the curation rule.

    ``changed`` names the fields the seller changed; only CONTENT_FIELDS
    send an existing listing back to the queue (returns None otherwise).
    """
    if not new and not set(changed) & set(CONTENT_FIELDS):
        return None
    held_for = listing_held_reasons(
        title=product.title, description=product.description, categories=list(product.categories.all())
    )
    was_refused = not new and product.listing_status in (ListingStatus.HELD, ListingStatus.REJECTED)
    status = ListingStatus.HELD if held_for or was_refused else ListingStatus.PENDING
    if new:
        reason = _("Produk baru")
    else:
        reason = _("Produk diubah: %(fields)s") % {"fields": ", ".join(_field_label(f) for f in changed)}
    if held_for:
        reason += " — " + _("ditahan: %(why)s") % {"why": "; ".join(held_for)}
    elif was_refused:
        reason += " — " + _("ditahan: sebelumnya ditahan/ditolak, menunggu persetujuan")
    return listing_status_change(product=product, actor=actor, status=status, reason=reason)


def _field_label(field: str) -> str:
    return {
        "title": _("judul"),
        "description": _("deskripsi"),
        "category": _("kategori"),
        "images": _("foto"),
        "supply_kind": _("jenis"),
    }.get(field, field)


def _sku_for(product: Product) -> str:
    # The product id is unique, so the SKU is unique within the shop (and across shops).
    return f"PKN-{product.pk:07d}"


def _images_add(product: Product, images: list, *, start: int) -> None:
    for order, image in enumerate(images, start=start):
        ProductImage.objects.create(
            product=product, original=image, caption=product.title, display_order=order
        )


def _price_stock_record(
    *, seller, actor, record, price_old: int | None, stock_old: int | None, source: StockUpdateSource
) -> None:
    """Audit row of a price or stock change made in the product form (or its API twin)."""
    StockUpdate.objects.create(
        seller=seller,
        actor=actor,
        source=source,
        rows_applied=1,
        changes=[
            {
                "sku": record.partner_sku,
                "title": record.product.title,
                "price_old": price_old,
                "price_new": int(record.price),
                "stock_old": stock_old,
                "stock_new": record.num_in_stock,
            }
        ],
    )


def listing_create(
    *, seller, actor: AbstractBaseUser, data: dict, source: StockUpdateSource = StockUpdateSource.FORM
) -> Product:
    """Create a seller's product with its one stock record and pictures, and submit it for curation.

    ``data`` is a validated ListingForm's cleaned_data: title, description,
    category (a leaf), images (at least one; the first is the primary
    picture), price (whole rupiah > 0), stock, unit, min_order_quantity,
    halal_certificate_number, made_locally, supply_kind (blank: from the
    category). The stock record's SKU is generated from the product id.
    The listing starts outside the storefront and listing_submit decides at
    once whether it goes on sale (see the module's curation rule). All or
    nothing. ``source`` names where the seller did it in the price and stock history.
    """
    with transaction.atomic():
        product_class, _created = ProductClass.objects.get_or_create(
            slug=PRODUCT_CLASS_SLUG,
            defaults={"name": "Barang", "track_stock": True, "requires_shipping": True},
        )
        product = Product.objects.create(
            structure=Product.STANDALONE,
            product_class=product_class,
            is_public=True,
            listing_status="",
            title=data["title"],
            description=seller_html_clean(data["description"]),
            unit=data["unit"],
            min_order_quantity=data["min_order_quantity"],
            halal_certificate_number=data["halal_certificate_number"],
            made_locally=data["made_locally"],
            supply_kind=data.get("supply_kind", ""),
        )
        ProductCategory.objects.create(product=product, category=data["category"])
        _images_add(product, data["images"], start=0)
        record = StockRecord.objects.create(
            product=product,
            partner=seller,
            partner_sku=_sku_for(product),
            price_currency=settings.OSCAR_DEFAULT_CURRENCY,
            price=Decimal(data["price"]),
            num_in_stock=data["stock"],
        )
        _price_stock_record(
            seller=seller, actor=actor, record=record, price_old=None, stock_old=None, source=source
        )
        listing_submit(product=product, actor=actor, changed=list(CONTENT_FIELDS), new=True)
    return product


def listing_update(
    *,
    product: Product,
    seller,
    actor: AbstractBaseUser,
    data: dict,
    source: StockUpdateSource = StockUpdateSource.FORM,
) -> list[str]:
    """Apply a seller's edit of their product; returns the names of the fields that changed.

    Content changes (title, description, category, pictures) send the listing
    back to curation (listing_submit); a price or stock change is recorded as
    a StockUpdate of the shop. The stock record is locked while it changes.
    ``data`` as for listing_create, with ``images`` optional (added after the
    existing ones) and ``remove_images`` the ProductImages to delete; ``source``
    as for listing_create.
    """
    # Stored as it will be shown: the seller allow-list, so no later page or email can run it.
    data = {**data, "description": seller_html_clean(data["description"])}
    with transaction.atomic():
        record = StockRecord.objects.select_for_update().get(product=product, partner=seller)
        product = Product.objects.select_for_update().get(pk=product.pk)
        data.setdefault("supply_kind", product.supply_kind)
        changed = [
            name
            for name in (
                "title",
                "description",
                "unit",
                "min_order_quantity",
                "halal_certificate_number",
                "made_locally",
                "supply_kind",
            )
            if getattr(product, name) != data[name]
        ]
        for name in changed:
            setattr(product, name, data[name])
        if changed:
            product.save()
        current = list(product.categories.all())
        if current != [data["category"]]:
            ProductCategory.objects.filter(product=product).delete()
            ProductCategory.objects.create(product=product, category=data["category"])
            changed.append("category")
        removed = [image.pk for image in data.get("remove_images", [])]
        if removed:
            ProductImage.objects.filter(product=product, pk__in=removed).delete()
        if data.get("images"):
            last = product.images.order_by("-display_order").values_list("display_order", flat=True).first()
            _images_add(product, data["images"], start=(last or 0) + 1)
        if removed or data.get("images"):
            changed.append("images")
        price, stock = Decimal(data["price"]), data["stock"]
        if record.price != price or record.num_in_stock != stock:
            changed += [
                name
                for name, moved in (("price", record.price != price), ("stock", record.num_in_stock != stock))
                if moved
            ]
            price_old, stock_old = int(record.price), record.num_in_stock
            record.price, record.num_in_stock = price, stock
            record.save(update_fields=["price", "num_in_stock", "date_updated"])
            _price_stock_record(
                seller=seller,
                actor=actor,
                record=record,
                price_old=price_old,
                stock_old=stock_old,
                source=source,
            )
            transaction.on_commit(page_cache_invalidate)
        listing_submit(product=product, actor=actor, changed=changed)
    return changed


def listing_review(
    *, product: Product, actor: AbstractBaseUser, approve: bool, reason: str = ""
) -> ListingDecision:
    """A verifier's decision on a queued listing: approve (on sale) or reject with a reason (off sale).

    Raises ListingError if no reason is given for a rejection or the listing
    is no longer in the queue (decided a moment ago by someone else).
    """
    reason = reason.strip()
    if not approve and not reason:
        raise ListingError(_("Tulis alasan penolakan: penjual perlu tahu apa yang harus diperbaiki."))
    with transaction.atomic():
        current = Product.objects.select_for_update().only("listing_status").get(pk=product.pk)
        if current.listing_status not in LISTING_IN_QUEUE:
            raise ListingError(
                _("Produk ini sudah diputuskan (%(status)s).")
                % {"status": current.get_listing_status_display()}
            )
        status = ListingStatus.APPROVED if approve else ListingStatus.REJECTED
        return listing_status_change(product=product, actor=actor, status=status, reason=reason)


LISTING_DECISION_SUBJECTS = {
    ListingStatus.APPROVED: gettext_lazy("Produk Anda disetujui di Peken"),
    ListingStatus.REJECTED: gettext_lazy("Produk Anda ditolak di Peken"),
}


def listing_decision_notify(*, decision_id: int) -> bool:
    """Email the selling shop's users about a verifier's decision, once however often it is called.

    The decision row is locked and marked notified in the same transaction
    as the send, so two task runs cannot both send. Returns whether mail went out.
    """
    with transaction.atomic():
        decision = ListingDecision.objects.select_for_update().select_related("product").get(pk=decision_id)
        if decision.date_notified or decision.new_status not in LISTING_DECISION_SUBJECTS:
            return False
        users = {
            user.pk: user
            for record in decision.product.stockrecords.select_related("partner").prefetch_related(
                "partner__users"
            )
            for user in record.partner.users.all()
        }
        site_url = f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}"
        sent = mail_users(
            users=users.values(),
            render=lambda: (
                LISTING_DECISION_SUBJECTS[decision.new_status],
                render_to_string(
                    "catalogue/emails/listing_decision.txt",
                    {"decision": decision, "product": decision.product, "site_url": site_url},
                ),
            ),
        )
        decision.date_notified = timezone.now()
        decision.save(update_fields=["date_notified"])
    return bool(sent)


class ReportError(Exception):
    """A report that cannot be filed or settled as asked."""


def listing_report_file(
    *, product: Product, reporter: AbstractBaseUser, reason: str, details: str = ""
) -> ListingReport:
    """File a shopper's report on a listing; a second open report by the same shopper is refused.

    Raises ReportError if this shopper already has an open report on it.
    """
    try:
        with transaction.atomic():
            return ListingReport.objects.create(
                product=product, reporter=reporter, reason=reason, details=details.strip()
            )
    except IntegrityError:
        raise ReportError(_("Anda sudah melaporkan produk ini; petugas sedang memeriksanya.")) from None


def listing_report_settle(
    *, report: ListingReport, actor: AbstractBaseUser, remove: bool, note: str = ""
) -> ListingReport:
    """Settle a report: dismiss it, or take the product off the storefront.

    Removing settles every open report on the same product and drops the
    shared pages, so the listing disappears at once. Raises ReportError if
    the report was settled already.
    """
    with transaction.atomic():
        report = ListingReport.objects.select_for_update().select_related("product").get(pk=report.pk)
        outcome = ReportStatus.REMOVED if remove else ReportStatus.DISMISSED
        if outcome not in REPORT_TRANSITIONS[report.status]:
            raise ReportError(_("Laporan ini sudah ditangani."))
        now = timezone.now()
        if remove:
            Product.objects.filter(pk=report.product_id).update(is_public=False, date_updated=now)
            settled = ListingReport.objects.filter(product_id=report.product_id, status=ReportStatus.OPEN)
            settled.update(
                status=ReportStatus.REMOVED, handled_by=actor, handling_note=note, date_handled=now
            )
            transaction.on_commit(page_cache_invalidate)
        else:
            report.status, report.handled_by = outcome, actor
            report.handling_note, report.date_handled = note, now
            report.save(update_fields=["status", "handled_by", "handling_note", "date_handled"])
        report.refresh_from_db()
    return report


def search_words_refresh() -> int:
    """Rebuild SearchWord, the words of the titles on sale, that search corrects typing against.

    The words are lower-cased runs of letters and digits of every title on sale
    now, each with how many products' titles hold it. All or nothing in one
    transaction: searches meanwhile see the old vocabulary. PostgreSQL only
    (corrections use pg_trgm); elsewhere nothing is written. Returns the
    number of words.
    """
    if connection.vendor != "postgresql":
        return 0
    titles, params = selectors.products_on_sale().values("pk", "title").query.sql_with_params()
    table = connection.ops.quote_name(SearchWord._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (word, products) "
            f"SELECT word, count(DISTINCT on_sale.pk) FROM ({titles}) AS on_sale, "
            "regexp_split_to_table(lower(on_sale.title), '[^[:alnum:]]+') AS word "
            "WHERE word <> '' AND length(word) <= 100 GROUP BY word",
            params,
        )
        return cursor.rowcount


def recommended_listings_refresh() -> int:
    """Rank the catalogue and every category (with its subcategories) into Rekomendasi's table.

    The listings are exactly what the catalogue and category pages show
    unfiltered (selectors.product_list), each written in its own transaction
    by exposure.services.recommended_rank_write; rows of deleted categories are
    dropped. Safe to run at any time and twice. Returns the listings ranked.
    """
    listings = [selectors.product_list(sort=selectors.ProductSort.RECOMMENDED)] + [
        selectors.product_list(category=category, sort=selectors.ProductSort.RECOMMENDED)
        for category in Category.objects.order_by("path")
    ]
    for listing in listings:
        exposure_services.recommended_rank_write(
            listing=listing.listing, queryset=listing.queryset, stock=listing.stock
        )
    exposure_services.recommended_rank_prune(keep={listing.listing for listing in listings})
    return len(listings)
