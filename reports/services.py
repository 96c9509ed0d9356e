"""Writes of the reports app: large exports (asked for, built by a worker, swept when they expire),
and the spend report's shares of each paid payment (spend_shares_split, below).

An export too large for a web request (reports.writers.background_rows) is a ReportExport: the
export view's URL name and arguments, the filter's query string and the person who asked.
A Celery worker rebuilds the table from that same view for that person, so the access rule is
the view's own (reports.access.report_agencies), applied again when the worker runs, and writes
the file in chunks to the default storage, counting the rows done. The status moves only
through _export_move (EXPORT_TRANSITIONS). Finished or not, an export and its file are deleted
once it expires (PEKEN_REPORT_EXPORT_KEEP_DAYS after it was asked for or finished).

The reports' own summaries (reports.models) are kept by triggers in the writers' transactions
and need nothing here, but for the materialized views, refreshed by materialized_views_refresh.
"""

import logging
import tempfile
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import DateField, Exists, F, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.urls import resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from procurement.models import GoodsReceipt, GoodsReceiptLine, OfficialPayment
from procurement.statuses import OfficialPaymentStatus
from reports import tasks
from reports.forms import ReportFilterInvalid
from reports.models import (
    PaidPayment,
    PersonalSpendDay,
    ProductPriceRange,
    ReportExport,
    RequisitionShare,
    SpendPayment,
    SpendShare,
)
from reports.statuses import EXPORT_TRANSITIONS, UNFINISHED, ExportFormat, ExportStatus
from reports.tables import rows_count
from reports.writers import PdfTooLarge, table_write

logger = logging.getLogger(__name__)

STORAGE_DIR = "laporan-unduhan"


class ReportExportError(Exception):
    """A move of an export its status table does not allow."""


def _expiry():
    return timezone.now() + timedelta(days=settings.PEKEN_REPORT_EXPORT_KEEP_DAYS)


def _export_move(export: ReportExport, *, to: str, **fields) -> None:
    """The one place an export's status is set: refuses a move EXPORT_TRANSITIONS does not allow."""
    if to not in EXPORT_TRANSITIONS[export.status]:
        raise ReportExportError(f"export {export.pk}: {export.status} -> {to} is not allowed")
    fields["status"] = to
    if to in (ExportStatus.DONE, ExportStatus.FAILED):
        fields["date_done"] = timezone.now()
        fields["expires_at"] = _expiry()
    for name, value in fields.items():
        setattr(export, name, value)
    export.save(update_fields=list(fields))


def report_export_request(
    *,
    user,
    url_name: str,
    url_kwargs: dict,
    query: str,
    fmt: str,
    title: str,
    filter_text: str,
    file_name: str,
    total: int,
) -> ReportExport:
    """Queue the export of one report for ``user``, built by a worker after commit.

    The view (``url_name`` with ``url_kwargs``) has already checked that ``user`` may read it.
    Asking again for the same report, arguments, filter and format while it is being built
    returns that export; two asked at the very same moment are two exports, which is harmless.
    """
    unfinished = ReportExport.objects.filter(
        requested_by=user,
        url_name=url_name,
        url_kwargs=url_kwargs,
        query=query,
        fmt=fmt,
        status__in=UNFINISHED,
        expires_at__gt=timezone.now(),
    ).first()
    if unfinished is not None:
        return unfinished
    with transaction.atomic():
        export = ReportExport.objects.create(
            requested_by=user,
            url_name=url_name,
            url_kwargs=url_kwargs,
            query=query,
            fmt=fmt,
            title=title[:200],
            filter_text=filter_text,
            file_name=file_name[:150],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            total=total,
            expires_at=_expiry(),
        )
        transaction.on_commit(lambda: tasks.report_export_build.delay(export.pk))
    return export


def export_progress(export: ReportExport) -> dict:
    """What an export's progress bar reads (the keys of static/peken/import-progress.js)."""
    finished = export.finished
    done = min(export.done, export.total) if export.total else export.done
    label = export.get_status_display()
    laying_out = export.fmt == ExportFormat.PDF and export.total and done >= export.total
    if export.status == ExportStatus.RUNNING and laying_out:
        label = _("Menata halaman PDF")  # the rows are in; WeasyPrint lays the pages out
    return {
        "status": export.status,
        "status_label": label,
        "rows_done": done,
        "rows_total": export.total,
        "percent": 100 * done // export.total if export.total else (100 if finished else 0),
        "finished": finished,
    }


def _export_table(export: ReportExport):
    """The export's table rebuilt from its view for its owner, as the view's page would show it now."""
    match = resolve(reverse(export.url_name, kwargs=export.url_kwargs))
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "export_view"):
        raise LookupError(f"{export.url_name} is not a report export")
    view = view_class.export_view(user=export.requested_by, query=export.query, kwargs=match.kwargs)
    return view.export_table()


def _fail(export_id: int, message: str) -> ReportExport:
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().get(pk=export_id)
        if export.status in UNFINISHED:
            _export_move(export, to=ExportStatus.FAILED, error=message)
    return export


def report_export_build(*, export_id: int) -> ReportExport | None:
    """Build a queued export's file and store it; the export moves queued -> running -> done.

    Safe to run again (a task redelivered): a finished export is returned as it is, one left
    running by a worker that died is built again from its first row, one already swept is
    None. The rows are those the owner may read when this runs: if they may no longer read the
    report, or its filter no longer holds, the export fails with the reason. Any other error
    fails it too (logged); the person asks again.
    """
    with transaction.atomic():
        export = (
            ReportExport.objects.select_for_update()
            .select_related("requested_by")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status not in UNFINISHED:
            return export
        if export.status == ExportStatus.QUEUED:
            _export_move(export, to=ExportStatus.RUNNING, done=0)
        else:
            ReportExport.objects.filter(pk=export.pk).update(done=0)

    def progress(done: int) -> None:
        ReportExport.objects.filter(pk=export_id).update(done=done)

    name = f"{STORAGE_DIR}/{uuid.uuid4().hex}.{export.fmt}"
    try:
        with translation.override(export.language or settings.LANGUAGE_CODE):
            table = _export_table(export)
            count = rows_count(table.rows)
            if count is not None:
                ReportExport.objects.filter(pk=export_id).update(total=count)
            with tempfile.TemporaryFile() as out:
                written = table_write(table=table, fmt=export.fmt, out=out, progress=progress)
                out.seek(0)
                stored = default_storage.save(name, File(out, name=name))
    except PermissionDenied:
        return _fail(export_id, _("Anda tidak lagi dapat membaca laporan ini."))
    except PdfTooLarge as error:
        return _fail(
            export_id,
            _("PDF memuat paling banyak %(limit)s baris. Unduh CSV atau XLSX, atau persempit saringan.")
            % {"limit": error.limit},
        )
    except ReportFilterInvalid:
        return _fail(export_id, _("Saringan laporan tidak valid."))
    except Exception:
        logger.exception("report export %s failed", export_id)
        return _fail(export_id, _("Unduhan gagal disusun. Minta ulang, atau hubungi pengelola Peken."))
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status != ExportStatus.RUNNING:
            default_storage.delete(stored)  # swept, or finished by another run meanwhile
            return export
        _export_move(export, to=ExportStatus.DONE, file=stored, done=written, total=written)
    return export


def report_exports_sweep(*, now=None) -> int:
    """Delete every export past its expiry, with its file (beat, hourly); how many were deleted.

    A file is deleted before its row, so a file is never left without the row that names it;
    a row whose file is already gone is deleted all the same.
    """
    now = now or timezone.now()
    deleted = 0
    for export in ReportExport.objects.filter(expires_at__lte=now).only("pk", "file").iterator():
        if export.file:
            default_storage.delete(export.file.name)
        deleted += ReportExport.objects.filter(pk=export.pk).delete()[0]
    return deleted


Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Line = get_model("order", "Line")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def spend_shares_split() -> int:
    """Write the shares of every paid payment not split yet; the number of shares written.

    A payment's gross G goes to its order's lines in proportion to what was accepted of each
    (unit price x quantity accepted, as the tax engine priced it), by cumulative rounding in line
    order: line i gets round(G x C_i / V) - round(G x C_i-1 / V), half up, C_i being the value of
    lines 1..i and V of them all; the shares are whole rupiah and add up to G. Each share keeps
    the line's category (its product's first by path; a variant's: its parent's) and kind
    (catalogue_ext.selectors.product_supply_kind's rule: the listing's own, else its first public
    category with a mapped parent, PEKEN_SUPPLY_KIND_BY_CATEGORY, else goods) as they stand now.

    With the shares each payment gets its SpendPayment row: its agency, unit, seller and date,
    its requisition's approval date and its order's last handover, its shares summed by kind.
    One query when every paid payment has its row (a paid payment stays paid, so equal counts
    mean nothing is left), one statement more otherwise. Two runs at once write each row once
    (a share is unique per payment and line, a SpendPayment per payment).
    """
    paid = OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID)
    with connection.cursor() as cursor:
        paid_sql, paid_params = paid.order_by().values("pk").query.sql_with_params()
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM ({paid_sql}) p) - (SELECT COUNT(*) FROM {_table(SpendPayment)})",
            paid_params,
        )
        if not cursor.fetchone()[0]:
            return 0
    last_receipt = (
        GoodsReceipt.objects.filter(order=OuterRef("order_id"))
        .order_by("-received_on")
        .values("received_on")[:1]
    )
    new = (
        paid.filter(~Exists(SpendPayment.objects.filter(payment=OuterRef("pk"))))
        .order_by()
        .values(
            p_id=F("pk"),
            p_order=F("order_id"),
            p_gross=F("gross"),
            p_day=F("paid_on"),
            p_agency=F("requisition__agency_id"),
            p_unit=F("requisition__unit_id"),
            p_seller=F("order__seller_id"),
            p_approved=TruncDate("requisition__date_decided"),
            p_received=Subquery(last_receipt, output_field=DateField()),
        )
    )
    new_sql, new_params = new.query.sql_with_params()
    mapping = settings.PEKEN_SUPPLY_KIND_BY_CATEGORY
    slugs, kinds = list(mapping), [str(kind) for kind in mapping.values()]
    category, product_category = _table(Category), _table(ProductCategory)
    sql = f"""WITH pay AS ({new_sql}),
        accepted AS (
            SELECT rl.order_line_id AS line_id, SUM(rl.quantity_accepted) AS quantity
            FROM {_table(GoodsReceiptLine)} rl JOIN {_table(GoodsReceipt)} g ON g.id = rl.receipt_id
            JOIN pay ON pay.p_order = g.order_id
            GROUP BY rl.order_line_id
        ), valued AS (
            SELECT pay.*, l.id AS l_id, COALESCE(pr.parent_id, pr.id) AS l_product,
                   pr.supply_kind AS l_kind, l.unit_price_incl_tax * a.quantity AS l_value
            FROM pay JOIN {_table(Line)} l ON l.order_id = pay.p_order
            JOIN accepted a ON a.line_id = l.id
            LEFT JOIN {_table(Product)} pr ON pr.id = l.product_id
            WHERE l.unit_price_incl_tax * a.quantity > 0
        ), running AS (
            SELECT valued.*,
                   SUM(l_value) OVER (PARTITION BY p_id ORDER BY l_id) AS upto,
                   SUM(l_value) OVER (PARTITION BY p_id) AS whole
            FROM valued
        ), first_category AS (
            SELECT DISTINCT ON (pc.product_id) pc.product_id, c.id
            FROM {product_category} pc JOIN {category} c ON c.id = pc.category_id
            WHERE pc.product_id IN (SELECT l_product FROM valued)
            ORDER BY pc.product_id, c.path
        ), mapped AS (
            SELECT c.id, c.path, c.is_public AND c.ancestors_are_public AS public,
                   (SELECT (%s::text[])[array_position(%s::text[], m.slug::text)]
                    FROM {category} m
                    WHERE c.path LIKE m.path || '%%' AND m.slug = ANY(%s::text[])
                    ORDER BY m.depth DESC LIMIT 1) AS kind
            FROM {category} c
        ), category_kind AS (
            SELECT DISTINCT ON (pc.product_id) pc.product_id, m.kind
            FROM {product_category} pc JOIN mapped m ON m.id = pc.category_id
            WHERE m.kind IS NOT NULL AND m.public AND pc.product_id IN (SELECT l_product FROM valued)
            ORDER BY pc.product_id, m.path
        ), shares AS (
            SELECT r.p_id, r.l_id, r.p_day, r.p_agency, r.p_unit, r.p_seller, fc.id AS category_id,
                   COALESCE(NULLIF(r.l_kind, ''), ck.kind, %s) AS kind,
                   div(2 * r.p_gross * r.upto + r.whole, 2 * r.whole)
                     - div(2 * r.p_gross * (r.upto - r.l_value) + r.whole, 2 * r.whole) AS amount
            FROM running r
            LEFT JOIN first_category fc ON fc.product_id = r.l_product
            LEFT JOIN category_kind ck ON ck.product_id = r.l_product
        ), written AS (
            INSERT INTO {_table(SpendShare)}
                (payment_id, line_id, paid_on, agency_id, unit_id, seller_id, category_id, kind, amount)
            SELECT * FROM shares
            ON CONFLICT (payment_id, line_id) DO NOTHING
            RETURNING 1
        ), by_kind AS (
            SELECT p_id,
                   SUM(amount) FILTER (WHERE kind = %s) AS goods,
                   SUM(amount) FILTER (WHERE kind = %s) AS catering,
                   SUM(amount) FILTER (WHERE kind = %s) AS printing,
                   SUM(amount) FILTER (WHERE kind = %s) AS other_service
            FROM shares GROUP BY p_id
        ), marked AS (
            INSERT INTO {_table(SpendPayment)}
                (payment_id, paid_on, agency_id, unit_id, seller_id, gross, approved_on, received_on,
                 goods, catering, printing, other_service, date_split)
            SELECT pay.p_id, pay.p_day, pay.p_agency, pay.p_unit, pay.p_seller, pay.p_gross,
                   pay.p_approved, pay.p_received, COALESCE(k.goods, 0), COALESCE(k.catering, 0),
                   COALESCE(k.printing, 0), COALESCE(k.other_service, 0), now()
            FROM pay LEFT JOIN by_kind k ON k.p_id = pay.p_id
            ON CONFLICT (payment_id) DO NOTHING
        )
        SELECT COUNT(*) FROM written"""
    with connection.cursor() as cursor:
        kind_params = [str(k) for k in (SupplyKind.GOODS, SupplyKind.CATERING, SupplyKind.PRINTING)]
        kind_params.append(str(SupplyKind.OTHER_SERVICE))
        cursor.execute(sql, [*new_params, kinds, slugs, slugs, str(SupplyKind.GOODS), *kind_params])
        return cursor.fetchone()[0]


# --- the materialized views


MATERIALIZED_VIEWS = (PersonalSpendDay._meta.db_table,)
KEPT_BY_TRIGGERS = (PaidPayment, RequisitionShare, ProductPriceRange)


def materialized_views_refresh() -> list[str]:
    """Refresh the reports' materialized views (PostgreSQL; elsewhere there are none); their names.

    Concurrently where a view already holds rows (its unique index allows it, and readers keep
    reading the previous contents until the new ones are in), plain the first time. So its
    figures are at most PEKEN_REPORTS_VIEW_REFRESH_MINUTES plus one refresh behind the rows.
    Safe to run twice at once: PostgreSQL runs one refresh of a view at a time, the other waits.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        for view in MATERIALIZED_VIEWS:
            cursor.execute("SELECT relispopulated FROM pg_class WHERE relname = %s", [view])
            (populated,) = cursor.fetchone()
            concurrently = "CONCURRENTLY " if populated else ""
            cursor.execute(f"REFRESH MATERIALIZED VIEW {concurrently}{view}")
    return list(MATERIALIZED_VIEWS)


def reports_summaries_settle() -> list[str]:
    """After a bulk load (the synthetic data's COPY): the planner's statistics of the trigger-kept
    summaries gathered, and the materialized views refreshed. Returns the views refreshed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in KEPT_BY_TRIGGERS:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return materialized_views_refresh()
