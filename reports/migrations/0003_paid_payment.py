"""Paid official payments as the reports read them, kept by triggers (reports.models.PaidPayment).

Triggers rather than Python so that every write path keeps the copy in step, in the same
transaction: the treasury services, the admin, the synthetic data's COPY, a correction in SQL.
A payment's row is written when it is paid (PAID is final) and follows any later change to the
payment, its requisition's agency, unit or budget line, or its order's seller; it goes with the
payment. The rows already paid are copied once here. PostgreSQL runs one function per table;
SQLite (the zero-setup local run) the same statements as plain triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

PAID = "lunas"  # procurement.statuses.OfficialPaymentStatus.PAID
COLUMNS = "payment_id, requisition_id, order_id, agency_id, unit_id, budget_line_id, seller_id, paid_on, gross"


def _copy(payment: str, where: str) -> str:
    """INSERT of the summary rows of the payments ``payment`` names (a table alias or NEW)."""
    return f"""
        INSERT INTO reports_paidpayment ({COLUMNS})
        SELECT {payment}.id, r.id, o.id, r.agency_id, r.unit_id, r.budget_line_id, o.seller_id,
               {payment}.paid_on, {payment}.gross
        FROM procurement_requisition r, order_order o
        WHERE r.id = {payment}.requisition_id AND o.id = {payment}.order_id AND {where}"""


FOLLOW_REQUISITION = """
    UPDATE reports_paidpayment
    SET agency_id = NEW.agency_id, unit_id = NEW.unit_id, budget_line_id = NEW.budget_line_id
    WHERE requisition_id = NEW.id"""
FOLLOW_ORDER = "UPDATE reports_paidpayment SET seller_id = NEW.seller_id WHERE order_id = NEW.id"
PAYMENT_COLUMNS = "status, paid_on, gross, requisition_id, order_id"

POSTGRESQL = f"""
CREATE FUNCTION reports_paid_payment_keep() RETURNS trigger AS $$
BEGIN
    DELETE FROM reports_paidpayment WHERE payment_id = OLD.id;
    IF TG_OP <> 'DELETE' THEN
        {_copy("NEW", f"NEW.status = '{PAID}'")};
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_paid_payment_insert AFTER INSERT ON procurement_officialpayment
    FOR EACH ROW WHEN (NEW.status = '{PAID}') EXECUTE FUNCTION reports_paid_payment_keep();
CREATE TRIGGER reports_paid_payment_change AFTER DELETE OR UPDATE OF {PAYMENT_COLUMNS}
    ON procurement_officialpayment FOR EACH ROW EXECUTE FUNCTION reports_paid_payment_keep();

CREATE FUNCTION reports_paid_requisition_follow() RETURNS trigger AS $$
BEGIN
    {FOLLOW_REQUISITION};
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_paid_requisition_follow
    AFTER UPDATE OF agency_id, unit_id, budget_line_id ON procurement_requisition FOR EACH ROW
    WHEN (OLD.agency_id IS DISTINCT FROM NEW.agency_id OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
          OR OLD.budget_line_id IS DISTINCT FROM NEW.budget_line_id)
    EXECUTE FUNCTION reports_paid_requisition_follow();

CREATE FUNCTION reports_paid_order_follow() RETURNS trigger AS $$
BEGIN
    {FOLLOW_ORDER};
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_paid_order_follow AFTER UPDATE OF seller_id ON order_order FOR EACH ROW
    WHEN (OLD.seller_id IS DISTINCT FROM NEW.seller_id) EXECUTE FUNCTION reports_paid_order_follow();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS reports_paid_payment_insert ON procurement_officialpayment;
DROP TRIGGER IF EXISTS reports_paid_payment_change ON procurement_officialpayment;
DROP TRIGGER IF EXISTS reports_paid_requisition_follow ON procurement_requisition;
DROP TRIGGER IF EXISTS reports_paid_order_follow ON order_order;
DROP FUNCTION IF EXISTS reports_paid_payment_keep();
DROP FUNCTION IF EXISTS reports_paid_requisition_follow();
DROP FUNCTION IF EXISTS reports_paid_order_follow();
"""
SQLITE = [
    f"""CREATE TRIGGER reports_paid_payment_insert AFTER INSERT ON procurement_officialpayment
    FOR EACH ROW WHEN NEW.status = '{PAID}' BEGIN {_copy("NEW", "1")}; END""",
    f"""CREATE TRIGGER reports_paid_payment_change AFTER UPDATE OF {PAYMENT_COLUMNS}
    ON procurement_officialpayment FOR EACH ROW BEGIN
    DELETE FROM reports_paidpayment WHERE payment_id = OLD.id;
    {_copy("NEW", f"NEW.status = '{PAID}'")}; END""",
    """CREATE TRIGGER reports_paid_payment_delete AFTER DELETE ON procurement_officialpayment
    FOR EACH ROW BEGIN DELETE FROM reports_paidpayment WHERE payment_id = OLD.id; END""",
    f"""CREATE TRIGGER reports_paid_requisition_follow
    AFTER UPDATE OF agency_id, unit_id, budget_line_id ON procurement_requisition
    FOR EACH ROW BEGIN {FOLLOW_REQUISITION}; END""",
    f"""CREATE TRIGGER reports_paid_order_follow AFTER UPDATE OF seller_id ON order_order
    FOR EACH ROW BEGIN {FOLLOW_ORDER}; END""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "reports_paid_payment_insert",
        "reports_paid_payment_change",
        "reports_paid_payment_delete",
        "reports_paid_requisition_follow",
        "reports_paid_order_follow",
    )
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)
    else:
        return
    schema_editor.execute(_copy("p", f"p.status = '{PAID}'").replace("FROM ", "FROM procurement_officialpayment p, ", 1))


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_spend_share'),
        ('order', '0022_seller_orders'),
        ('partner', '0015_sellerdatachange_source_centre'),
        ('procurement', '0010_official_payment_paid_on_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='PaidPayment',
            fields=[
                ('payment', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='procurement.officialpayment')),
                ('paid_on', models.DateField(verbose_name='Tanggal bayar')),
                ('gross', models.DecimalField(decimal_places=0, max_digits=15, verbose_name='Bruto')),
                ('agency', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='paid_payments', to='procurement.agency')),
                ('budget_line', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procurement.budgetline')),
                ('order', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='order.order')),
                ('requisition', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procurement.requisition')),
                ('seller', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partner.partner')),
                ('unit', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procurement.unit')),
            ],
            options={
                'verbose_name': 'pembayaran lunas (ringkasan laporan)',
                'verbose_name_plural': 'pembayaran lunas (ringkasan laporan)',
                'indexes': [models.Index(fields=['agency', 'paid_on'], name='report_paid_agency'), models.Index(fields=['budget_line', 'paid_on'], name='report_paid_line'), models.Index(fields=['paid_on'], name='report_paid_on'), models.Index(fields=['requisition'], name='report_paid_requisition'), models.Index(fields=['order'], name='report_paid_order')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
