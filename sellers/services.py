"""Writes about sellers: registration, every change of a shop's status, and staff edits of a shop."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sites.models import Site
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from peken import city, locks
from peken.imports import ImportJobFailed, Progress, import_job_start
from peken.mail import mail_users
from peken.models import ImportJob, ImportKind
from peken.page_cache import page_cache_invalidate
from sellers import tasks
from sellers.abstract_models import SellerStatus, StaffTool, StockUpdateSource, umkm_scale_for
from sellers.stock_csv import StockChange, StockRow, stock_csv_parse, stock_row_problems

Partner = get_model("partner", "Partner")
PartnerAddress = get_model("partner", "PartnerAddress")
SellerDataChange = get_model("partner", "SellerDataChange")
SellerDecision = get_model("partner", "SellerDecision")
SellerRating = get_model("partner", "SellerRating")
StockRecord = get_model("partner", "StockRecord")
StockUpdate = get_model("partner", "StockUpdate")

# The moves a shop's status may make; anything else is refused.
STATUS_TRANSITIONS = {
    SellerStatus.PENDING: {SellerStatus.ACTIVE, SellerStatus.REJECTED},
    SellerStatus.REJECTED: {SellerStatus.PENDING},
    SellerStatus.ACTIVE: {SellerStatus.SUSPENDED},
    SellerStatus.SUSPENDED: {SellerStatus.ACTIVE},
}


class SellerStatusError(Exception):
    """A status move that the transition table does not allow."""


def seller_status_change(
    *, seller: Partner, actor: AbstractBaseUser | None, status: str, reason: str = ""
) -> SellerDecision:
    """Move a shop to ``status`` and record who did it, when and why.

    The shop row is locked so two verifiers deciding at once cannot both
    move it. Raises SellerStatusError for a move not in STATUS_TRANSITIONS.
    """
    with transaction.atomic():
        seller = Partner.objects.select_for_update().get(pk=seller.pk)
        if status not in STATUS_TRANSITIONS.get(seller.status, set()):
            raise SellerStatusError(
                _("Status toko tidak bisa diubah dari %(old)s ke %(new)s.")
                % {"old": seller.get_status_display(), "new": SellerStatus(status).label}
            )
        decision = SellerDecision.objects.create(
            seller=seller, actor=actor, old_status=seller.status, new_status=status, reason=reason
        )
        seller.status = status
        seller.save(update_fields=["status"])
        # A shop going off or on sale changes every listing it is in.
        transaction.on_commit(page_cache_invalidate)
        transaction.on_commit(lambda: tasks.seller_decision_notify.delay(decision.pk))
    return decision


DECISION_SUBJECTS = {
    SellerStatus.ACTIVE: gettext_lazy("Toko Anda aktif di Peken"),
    SellerStatus.REJECTED: gettext_lazy("Pendaftaran toko Anda ditolak"),
    SellerStatus.SUSPENDED: gettext_lazy("Toko Anda dibekukan"),
    SellerStatus.PENDING: gettext_lazy("Toko Anda menunggu verifikasi"),
}


def seller_decision_notify(*, decision_id: int) -> bool:
    """Email the shop's users about a decision, once however often it is called.

    The decision row is locked and marked notified in the same transaction as
    the send, so two task runs cannot both send. Returns whether mail went out.
    """
    with transaction.atomic():
        decision = SellerDecision.objects.select_for_update().select_related("seller").get(pk=decision_id)
        if decision.date_notified:
            return False
        site_url = f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}"
        sent = mail_users(
            users=decision.seller.users.all(),
            render=lambda: (
                DECISION_SUBJECTS[decision.new_status],
                render_to_string(
                    "sellers/emails/decision.txt",
                    {"decision": decision, "seller": decision.seller, "site_url": site_url},
                ),
            ),
        )
        decision.date_notified = timezone.now()
        decision.save(update_fields=["date_notified"])
    return bool(sent)


def _unique_code(name: str) -> str:
    base = slugify(name)[:100] or "toko"
    code, n = base, 1
    while Partner.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


# The shop's tax facts, as the "Pajak" fieldset (sellers.forms.SellerTaxForm) sets them.
TAX_FIELDS = (
    "taxpayer_type",
    "is_pkp",
    "nitku",
    "pp55_number",
    "pp55_valid_until",
    "omzet_statement_year",
    "pbjt_number",
    "pbjt_rate_percent",
    "is_cooperative",
    "umkm_scale_basis",
)


def seller_tax_values(*, data: dict, stored_statement_year: int | None) -> dict:
    """The model values of a validated SellerTaxForm's cleaned_data, keyed by TAX_FIELDS.

    Without a PP 55 certificate its number and date are cleared. A ticked turnover
    statement stores this year (Asia/Jakarta); an unticked one withdraws this year's
    statement and keeps an older year's as the record it is.
    """
    has_pp55 = data["has_pp55"]
    this_year = timezone.localdate().year
    if data.get("omzet_statement"):
        statement_year = this_year
    else:
        statement_year = None if stored_statement_year == this_year else stored_statement_year
    rate = data.get("pbjt_rate_percent")
    return {
        "taxpayer_type": data["taxpayer_type"],
        "is_pkp": data["is_pkp"],
        "nitku": data.get("nitku", ""),
        "pp55_number": data["pp55_number"] if has_pp55 else "",
        "pp55_valid_until": data["pp55_valid_until"] if has_pp55 else None,
        "omzet_statement_year": statement_year,
        "pbjt_number": data.get("pbjt_number", ""),
        "pbjt_rate_percent": Decimal(10) if rate is None else rate,
        "is_cooperative": data["is_cooperative"],
        "umkm_scale_basis": data["umkm_scale_basis"],
    }


def seller_register(*, user: AbstractBaseUser, data: dict) -> Partner:
    """Register a shop for ``user``, pending verification; all or nothing.

    ``data`` is a validated SellerRegistrationForm's cleaned_data (its tax facts as
    seller_tax_values reads them). The shop's
    UMKM scale is derived from its declared annual sales (PP 7/2021). The
    user becomes the shop's partner user, and the registration is recorded as
    the shop's first decision.
    """
    annual_sales: Decimal = data["annual_sales"]
    with transaction.atomic():
        seller = Partner.objects.create(
            code=_unique_code(data["name"]),
            name=data["name"],
            kind=data["kind"],
            status=SellerStatus.PENDING,
            owner_name=data["owner_name"],
            ktp_number=data["ktp_number"],
            nib=data["nib"],
            npwp=data["npwp"],
            **seller_tax_values(data=data, stored_statement_year=None),
            annual_sales=annual_sales,
            umkm_scale=umkm_scale_for(annual_sales) or "",
            bank_name=data["bank_name"],
            bank_account_number=data["bank_account_number"],
            bank_account_holder=data["bank_account_holder"],
            phone=data["phone"],
            kecamatan=data["kecamatan"],
            kelurahan=data["kelurahan"],
            photo=data["photo"],
            made_locally=data["made_locally"],
            low_income_household=data["low_income_household"],
            date_registered=timezone.now(),
        )
        seller.users.add(user)
        owner_first, _sep, owner_last = data["owner_name"].partition(" ")
        PartnerAddress.objects.create(
            partner=seller,
            first_name=owner_first,
            last_name=owner_last,
            line1=data["street"],
            line2=f"Kel. {data['kelurahan']}",
            line3=f"Kec. {data['kecamatan']}",
            line4=city.city_name(),
            state="Jawa Timur",
            postcode=data["postcode"],
            country=city.country(),
        )
        SellerDecision.objects.create(
            seller=seller,
            actor=user,
            old_status="",
            new_status=SellerStatus.PENDING,
            reason=_("Pendaftaran toko"),
        )
    return seller


class RatingError(Exception):
    """A rating that may not be given: not the buyer, not received yet, or rated already."""


def seller_rate(*, user: AbstractBaseUser, order, seller: Partner, score: int, comment: str = ""):
    """Record ``user``'s rating of ``seller`` for one order they received.

    Only the order's buyer may rate, only once the order is received
    (status Selesai), only a shop that sold them something in it, and only
    once per order and shop. Raises RatingError naming the reason.
    """
    if order.user_id != user.pk:
        raise RatingError(_("Hanya pembeli pesanan ini yang dapat memberi nilai."))
    if order.status != OrderStatus.RECEIVED:
        raise RatingError(_("Nilai bisa diberikan setelah pesanan diterima."))
    if not order.lines.filter(partner=seller).exists():
        raise RatingError(_("Toko ini tidak menjual barang dalam pesanan tersebut."))
    if not 1 <= score <= 5:
        raise RatingError(_("Nilai harus 1 sampai 5 bintang."))
    try:
        with transaction.atomic():
            return SellerRating.objects.create(
                seller=seller, order=order, user=user, score=score, comment=comment.strip()
            )
    except IntegrityError:
        raise RatingError(_("Anda sudah menilai toko ini untuk pesanan tersebut.")) from None


# Stock records written per statement by a CSV apply; a job's progress moves after each.
STOCK_CSV_BATCH = 500


class StockRowsInvalid(Exception):
    """Price and stock rows with problems, from an uploaded file or an API request: nothing was applied.

    ``errors`` holds (line, message) pairs, one per line with its problems in one
    message (line 0: the file or the request as a whole); ``fields`` the same
    problems keyed "<line>.<field>" (field sku, price or stock) where the field is
    known (an API request's rows), else "non_field_errors".
    """

    def __init__(self, problems: list[tuple[int, str, str]]):
        by_line: dict[int, list[str]] = {}
        self.fields: dict[str, list[str]] = {}
        for line, field, message in problems:
            by_line.setdefault(line, []).append(message)
            key = f"{line}.{field}" if field else "non_field_errors"
            self.fields.setdefault(key, []).append(message)
        self.errors = sorted((line, " ".join(messages)) for line, messages in by_line.items())
        super().__init__("; ".join(f"{line}: {message}" for line, message in self.errors))


class StockCsvStale(Exception):
    """Prices or stock changed between the preview and its confirmation; ``preview`` is the new one."""

    def __init__(self, preview: "StockCsvPreview"):
        super().__init__(_("Harga atau stok berubah sejak pratinjau."))
        self.preview = preview


@dataclass(frozen=True)
class StockCsvPreview:
    """What rows would change: the rows that differ and how many rows would stay as they are."""

    changes: list[StockChange]
    unchanged: int
    # The price and stock of every SKU in the file as read; the confirmation must still find them.
    seen: dict[str, list[int]]


def _stock_rows_records(
    *, seller: Partner, rows: list[StockRow], problems: list[tuple[int, str, str]], lock: bool
) -> dict:
    """This shop's stock records of the rows' SKUs, by SKU; StockRowsInvalid if any row is bad.

    ``problems`` are those the rows' reader found, (line, field, message); a SKU that
    is not one of this shop's (another shop's counts as unknown) joins them. With
    ``lock`` the shop's key share and then its records are locked (peken/locks.py).
    """
    records = (
        StockRecord.objects.select_related("product")
        .filter(partner=seller, partner_sku__in=[row.sku for row in rows])
        .order_by("pk")
    )
    if lock:
        # the audit row points at the shop: its key share first, then the stock (peken/locks.py)
        locks.sellers_lock_shared(seller_ids=[seller.pk])
        records = locks.stock_records_lock(records)
    records = {record.partner_sku: record for record in records}
    problems = problems + [
        (row.line, "sku", _("SKU %(sku)s tidak dikenal di toko Anda.") % {"sku": row.sku})
        for row in rows
        if row.sku not in records
    ]
    if problems:
        raise StockRowsInvalid(problems)
    return records


def _stock_csv_read(*, seller: Partner, content: bytes, lock: bool) -> tuple[list, dict]:
    """The file's rows and this shop's stock records by SKU; StockRowsInvalid if any row is bad."""
    rows, errors = stock_csv_parse(content)
    problems = [(line, "", message) for line, message in errors]
    return rows, _stock_rows_records(seller=seller, rows=rows, problems=problems, lock=lock)


def _stock_csv_preview(rows: list, records: dict) -> StockCsvPreview:
    changes, seen = [], {}
    for row in rows:
        record = records[row.sku]
        price_old, stock_old = int(record.price or 0), record.num_in_stock or 0
        seen[row.sku] = [price_old, stock_old]
        if (price_old, stock_old) != (row.price, row.stock):
            changes.append(
                StockChange(
                    line=row.line,
                    sku=row.sku,
                    title=record.product.title,
                    price_old=price_old,
                    price_new=row.price,
                    stock_old=stock_old,
                    stock_new=row.stock,
                    reserved=record.num_allocated or 0,
                )
            )
    return StockCsvPreview(changes=changes, unchanged=len(rows) - len(changes), seen=seen)


def stock_csv_preview(*, seller: Partner, content: bytes) -> StockCsvPreview:
    """What applying a seller's price and stock CSV would change; nothing is written.

    Validates exactly as stock_csv_apply does and raises StockRowsInvalid
    with every bad row, so a file that previews is a file that applies
    (unless its stock records change in between).
    """
    rows, records = _stock_csv_read(seller=seller, content=content, lock=False)
    return _stock_csv_preview(rows, records)


def _stock_rows_apply(
    *,
    seller: Partner,
    actor: AbstractBaseUser | None,
    rows: list[StockRow],
    problems: list[tuple[int, str, str]],
    source: StockUpdateSource,
    file_name: str = "",
    seen: dict[str, list[int]] | None = None,
    progress: Progress | None = None,
) -> tuple[StockUpdate | None, StockCsvPreview]:
    """The one writer of a shop's prices and stock from rows, a file's or an API request's: all or none.

    In one transaction: the shop's key share and its stock records of the rows'
    SKUs are locked in primary-key order (peken/locks.py); any problem, or a SKU
    not the shop's, refuses every row (StockRowsInvalid); with ``seen`` (a
    preview's), a record no longer as the seller saw it refuses every row
    (StockCsvStale with a fresh preview). The changed rows are written in
    batches of STOCK_CSV_BATCH (``progress`` told after each), recorded as one
    StockUpdate of ``source`` (who, when, file, old and new values), and the
    shared pages are dropped once it commits. A file upload is recorded even when
    it changes nothing (the seller confirmed it); an API request that changes
    nothing is not, or a till re-sending its stock every few minutes would bury the
    shop's history (None then).
    """
    with transaction.atomic():
        records = _stock_rows_records(seller=seller, rows=rows, problems=problems, lock=True)
        preview = _stock_csv_preview(rows, records)
        if seen is not None and preview.seen != seen:
            raise StockCsvStale(preview)
        now = timezone.now()
        changed = [(records[c.sku].pk, Decimal(c.price_new), c.stock_new) for c in preview.changes]
        for start in range(0, len(changed), STOCK_CSV_BATCH):
            _stock_records_write(changed[start : start + STOCK_CSV_BATCH], now=now)
            if progress:
                progress(preview.unchanged + min(start + STOCK_CSV_BATCH, len(changed)))
        if not preview.changes and source == StockUpdateSource.API:
            return None, preview
        update = StockUpdate.objects.create(
            seller=seller,
            actor=actor,
            source=source,
            file_name=file_name[:255],
            rows_applied=len(preview.changes),
            changes=[
                {
                    "line": c.line,
                    "sku": c.sku,
                    "title": c.title,
                    "price_old": c.price_old,
                    "price_new": c.price_new,
                    "stock_old": c.stock_old,
                    "stock_new": c.stock_new,
                }
                for c in preview.changes
            ],
        )
        if preview.changes:
            transaction.on_commit(page_cache_invalidate)
    return update, preview


def stock_csv_apply(
    *,
    seller: Partner,
    actor: AbstractBaseUser,
    file_name: str,
    content: bytes,
    seen: dict[str, list[int]],
    progress: Progress | None = None,
) -> StockUpdate:
    """Apply a previewed price and stock CSV to the seller's own stock records: every row or none.

    The file is parsed (stock_csv_parse) and each SKU must be one of this
    shop's; another shop's SKU counts as unknown. If any row is bad nothing
    is applied and StockRowsInvalid lists every bad row with its line number.
    ``seen`` is the preview's ``seen``: if any record's price or stock is no
    longer what the seller saw, nothing is applied and StockCsvStale carries
    a fresh preview. Otherwise the changed rows apply as _stock_rows_apply
    says (the writer the API's rows share), recorded as a StockUpdate from the CSV.
    ``progress``, if given, is told how many of the file's rows are done.
    """
    rows, errors = stock_csv_parse(content)
    upload, _preview = _stock_rows_apply(
        seller=seller,
        actor=actor,
        rows=rows,
        problems=[(line, "", message) for line, message in errors],
        source=StockUpdateSource.CSV,
        file_name=file_name,
        seen=seen,
        progress=progress,
    )
    return upload


@dataclass(frozen=True)
class StockRowsResult:
    """What an API request's rows did: the StockUpdate recording it (None if nothing changed) and each
    row's old and new values, in the request's order."""

    update: StockUpdate | None
    rows: list[dict]


def stock_rows_apply(
    *, seller: Partner, actor: AbstractBaseUser, rows: list[dict], source_name: str = ""
) -> StockRowsResult:
    """Set the prices and stock a shop's own system (a till, an API client) sends: every row or none.

    ``rows`` are {"sku", "price", "stock"} with whole numbers already read, each
    meeting the rule of a CSV line (sellers.stock_csv.stock_row_problems) and
    naming a SKU of this shop; at most PEKEN_CSV_MAX_ROWS of them, the file limit.
    Applied at once, not in a worker, as a till needs to know whether its sync took
    (the writer takes one statement per STOCK_CSV_BATCH rows). There is no preview:
    the rows say what is true at the till now. Applied and recorded by
    _stock_rows_apply, the CSV upload's writer, as a StockUpdate from the API whose
    file name is ``source_name`` (the token's name). Raises StockRowsInvalid with
    every problem keyed "<row>.<field>", rows counted from 0.
    """
    limit = settings.PEKEN_CSV_MAX_ROWS
    if len(rows) > limit:
        message = _("Paling banyak %(n)d baris sekali kirim; bagi menjadi beberapa kiriman.") % {"n": limit}
        raise StockRowsInvalid([(0, "", message)])
    if not rows:
        raise StockRowsInvalid([(0, "", _("Kirim sekurang-kurangnya satu baris."))])
    good, problems, seen = [], [], {}
    for line, row in enumerate(rows):
        sku = str(row["sku"]).strip()
        by_field = stock_row_problems(sku=sku, price=row["price"], stock=row["stock"], line=line, seen=seen)
        problems += [(line, field, message) for field, messages in by_field.items() for message in messages]
        if not by_field:
            good.append(StockRow(line=line, sku=sku, price=row["price"], stock=row["stock"]))
    update, preview = _stock_rows_apply(
        seller=seller,
        actor=actor,
        rows=good,
        problems=problems,
        source=StockUpdateSource.API,
        file_name=source_name,
    )
    changes = {change.line: change for change in preview.changes}
    result = []
    for row in good:
        price_old, stock_old = preview.seen[row.sku]
        change = changes.get(row.line)
        result.append(
            {
                "sku": row.sku,
                "price_old": price_old,
                "price": row.price,
                "stock_old": stock_old,
                "stock": row.stock,
                "changed": change is not None,
                "warnings": change.warnings if change else [],
            }
        )
    return StockRowsResult(update=update, rows=result)


def _stock_records_write(changed: list[tuple[int, Decimal, int]], *, now) -> None:
    """Set (pk, price, stock) on stock records in one UPDATE ... FROM (VALUES ...).

    Django's bulk_update builds a CASE per row and field: about 3 ms of
    Python per record, 18 s for a 5,000-row file; this takes a fraction of a second.
    """
    if not changed:
        return
    meta, quote = StockRecord._meta, connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in ("price", "num_in_stock", "date_updated")}
    rows = ", ".join(["(%s, %s::numeric, %s::integer)"] * len(changed))
    sql = (
        f"UPDATE {quote(meta.db_table)} AS r SET {column['price']} = v.price, "
        f"{column['num_in_stock']} = v.stock, {column['date_updated']} = %s "
        f"FROM (VALUES {rows}) AS v(id, price, stock) WHERE r.{quote(meta.pk.column)} = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *(value for row in changed for value in row)])


def stock_csv_apply_start(
    *, seller: Partner, actor: AbstractBaseUser, file_name: str, content: bytes, seen: dict[str, list[int]]
) -> StockUpdate | ImportJob:
    """Apply a previewed CSV now, or, when it has more than PEKEN_CSV_BACKGROUND_ROWS rows, in a worker.

    A small file is applied by stock_csv_apply at once (its StockUpdate is
    returned, or it raises as stock_csv_apply does). A big one becomes an
    ImportJob recording who started it; the worker applies it with the
    same rules and the job keeps the result, or the problems (nothing applied).
    """
    if len(seen) <= settings.PEKEN_CSV_BACKGROUND_ROWS:
        return stock_csv_apply(seller=seller, actor=actor, file_name=file_name, content=content, seen=seen)
    return import_job_start(
        kind=ImportKind.STOCK_CSV,
        owner=seller,
        actor=actor,
        file_name=file_name,
        content=content,
        rows_total=len(seen),
        params={"seen": seen},
    )


def stock_csv_job_apply(job: ImportJob, progress: Progress) -> dict:
    """The runner of a stock CSV job (peken.imports): stock_csv_apply, its refusals as the job's problems."""
    seller = Partner.objects.get(pk=job.owner_id)
    try:
        upload = stock_csv_apply(
            seller=seller,
            actor=job.actor,
            file_name=job.file_name,
            content=bytes(job.content),
            seen=job.params["seen"],
            progress=progress,
        )
    except StockRowsInvalid as exc:
        raise ImportJobFailed(exc.errors) from None
    except StockCsvStale:
        message = _(
            "Harga atau stok berubah sejak pratinjau (mis. ada pesanan baru); tidak ada yang "
            "diubah. Unggah berkasnya lagi untuk pratinjau baru."
        )
        raise ImportJobFailed([(0, message)]) from None
    return {"rows_applied": upload.rows_applied, "stock_update": upload.pk}


def seller_tax_facts_update(
    *, seller: Partner, actor: AbstractBaseUser, data: dict
) -> SellerDataChange | None:
    """Save the tax facts a shop's own user changed in the seller centre, recorded like a staff edit.

    ``data`` is a validated SellerTaxForm's cleaned_data (seller_tax_values). The shop row
    is locked and each changed field kept before and after as a SellerDataChange from the
    seller centre, so a later payment's withholding can be traced to who declared what
    and when; None (and nothing saved) when nothing differs.
    """
    with transaction.atomic():
        stored = Partner.objects.select_for_update().get(pk=seller.pk)
        values = seller_tax_values(data=data, stored_statement_year=stored.omzet_statement_year)
        for name, value in values.items():
            setattr(seller, name, value)
        return seller_details_save(
            seller=seller, actor=actor, changed=list(TAX_FIELDS), source=StaffTool.CENTRE
        )


def seller_details_save(
    *, seller: Partner, actor: AbstractBaseUser, changed: list[str], source: StaffTool
) -> SellerDataChange | None:
    """Save an edit of a shop and record each changed field, before and after.

    ``seller`` carries the new values and ``changed`` names the edited fields
    (Django's admin, Oscar's dashboard, the shop's own tax page). The shop row is locked, so "before"
    is what the edit replaced; nothing is recorded (or saved) if nothing
    differs. The status is never among them: it moves only through
    seller_status_change, with its decision record (SellerStatusError).
    """
    if "status" in changed:
        raise SellerStatusError(_("Status toko diubah lewat halaman verifikasi toko, bukan di sini."))
    fields = [Partner._meta.get_field(name) for name in changed]
    with transaction.atomic():
        stored = Partner.objects.select_for_update().get(pk=seller.pk)
        changes = {
            field.name: {"before": field.value_to_string(stored), "after": field.value_to_string(seller)}
            for field in fields
            if field.value_from_object(stored) != field.value_from_object(seller)
        }
        if not changes:
            return None
        seller.save(update_fields=list(changes))
        record = SellerDataChange.objects.create(seller=seller, actor=actor, source=source, changes=changes)
        transaction.on_commit(page_cache_invalidate)
    return record


StockValues = tuple[Decimal | None, int | None]


def stock_values_locked(records) -> dict[int, StockValues]:
    """Each stock record's price and stock, locked in primary-key order until the transaction ends."""
    return {
        pk: (price, stock)
        for pk, price, stock in records.select_for_update()
        .order_by("pk")
        .values_list("pk", "price", "num_in_stock")
    }


def stock_staff_changes_record(
    *, actor: AbstractBaseUser, source: StockUpdateSource, before: dict[int, StockValues], records: Iterable
) -> list[StockUpdate]:
    """Record the prices and stock a member of staff changed, one StockUpdate per shop.

    ``before`` is what stock_values_locked read before the edit, in the same
    transaction; a record missing from it is new (its old values are empty).
    Records whose price and stock did not change are left out.
    """
    rows_by_seller: dict[int, list[dict]] = {}
    for record in records:
        price_old, stock_old = before.get(record.pk, (None, None))
        if (price_old, stock_old) == (record.price, record.num_in_stock):
            continue
        rows_by_seller.setdefault(record.partner_id, []).append(
            {
                "sku": record.partner_sku,
                "title": record.product.title,
                "price_old": None if price_old is None else int(price_old),
                "price_new": None if record.price is None else int(record.price),
                "stock_old": stock_old,
                "stock_new": record.num_in_stock,
            }
        )
    updates = [
        StockUpdate.objects.create(
            seller_id=seller_id, actor=actor, source=source, rows_applied=len(rows), changes=rows
        )
        for seller_id, rows in rows_by_seller.items()
    ]
    if updates:
        transaction.on_commit(page_cache_invalidate)
    return updates


def stock_record_staff_save(
    *, record, actor: AbstractBaseUser, source: StockUpdateSource
) -> list[StockUpdate]:
    """Save a stock record a member of staff edited and record the old and new price and stock."""
    with transaction.atomic():
        before = stock_values_locked(StockRecord.objects.filter(pk=record.pk)) if record.pk else {}
        record.save()
        return stock_staff_changes_record(actor=actor, source=source, before=before, records=[record])
