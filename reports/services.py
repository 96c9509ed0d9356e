"""The reports' only writes: their own summaries, derived from the official purchases and never edited.

spend_shares_split splits each paid official payment's gross over its order's accepted lines
(reports.models.SpendShare), the rows the spend report's category and goods/services figures
add up. A paid payment is final (no move leaves PAID) and its order was received in full before
it was paid, so its shares are written once; doing it again adds nothing. The spend pages split
before they read and Celery beat every five minutes, so a read seldom finds much to do; after a
bulk load (manage.py peken_synthetic) the first run splits everything (about 80 s for 70,000
payments).
"""

from django.conf import settings
from django.db import connection
from django.db.models import DateField, Exists, F, OuterRef, Subquery
from django.db.models.functions import TruncDate
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from procurement.models import GoodsReceipt, GoodsReceiptLine, OfficialPayment
from procurement.statuses import OfficialPaymentStatus
from reports.models import SpendPayment, SpendShare

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
