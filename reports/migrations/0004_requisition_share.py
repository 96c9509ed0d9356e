"""Each seller's share of each requisition, kept by statement triggers on its lines (PostgreSQL).

A statement trigger sees every row a statement wrote at once (transition tables), so a
requisition's lines written in one bulk insert, a bulk update of their quantities or prices, a
delete, or the synthetic data's COPY of a million lines each cost one grouped upsert. Updates
take the old rows off and put the new ones on; a share whose lines are all gone is deleted.
Other databases keep no shares: the red flags that read them are PostgreSQL's alone.
"""

import django.db.models.deletion
from django.db import migrations, models

SHARES = "reports_requisitionshare"
ADD = f"""
    INSERT INTO {SHARES} AS s (requisition_id, seller_id, amount, lines)
    SELECT requisition_id, seller_id, SUM(unit_price * quantity), COUNT(*)
    FROM added GROUP BY requisition_id, seller_id ORDER BY requisition_id, seller_id
    ON CONFLICT (requisition_id, seller_id)
    DO UPDATE SET amount = s.amount + EXCLUDED.amount, lines = s.lines + EXCLUDED.lines"""
SUBTRACT = f"""
    UPDATE {SHARES} AS s SET amount = s.amount - gone.amount, lines = s.lines - gone.lines
    FROM (
        SELECT requisition_id, seller_id, SUM(unit_price * quantity) AS amount, COUNT(*) AS lines
        FROM removed GROUP BY requisition_id, seller_id
    ) AS gone
    WHERE s.requisition_id = gone.requisition_id AND s.seller_id = gone.seller_id"""
# a statement of its own: rows updated in the statement above are not seen by a CTE beside it
PRUNE = f"""
    DELETE FROM {SHARES} AS s USING (SELECT DISTINCT requisition_id, seller_id FROM removed) AS gone
    WHERE s.requisition_id = gone.requisition_id AND s.seller_id = gone.seller_id AND s.lines = 0"""
FORWARD = f"""
CREATE FUNCTION reports_share_added() RETURNS trigger AS $$
BEGIN
    {ADD};
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE FUNCTION reports_share_removed() RETURNS trigger AS $$
BEGIN
    {SUBTRACT};
    {PRUNE};
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE FUNCTION reports_share_changed() RETURNS trigger AS $$
BEGIN
    {SUBTRACT};
    {ADD};
    {PRUNE};
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_share_insert AFTER INSERT ON procurement_requisitionline
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION reports_share_added();
CREATE TRIGGER reports_share_delete AFTER DELETE ON procurement_requisitionline
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION reports_share_removed();
CREATE TRIGGER reports_share_update AFTER UPDATE ON procurement_requisitionline
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION reports_share_changed();

INSERT INTO {SHARES} (requisition_id, seller_id, amount, lines)
SELECT requisition_id, seller_id, SUM(unit_price * quantity), COUNT(*)
FROM procurement_requisitionline GROUP BY requisition_id, seller_id;
"""
BACKWARD = """
DROP TRIGGER IF EXISTS reports_share_insert ON procurement_requisitionline;
DROP TRIGGER IF EXISTS reports_share_delete ON procurement_requisitionline;
DROP TRIGGER IF EXISTS reports_share_update ON procurement_requisitionline;
DROP FUNCTION IF EXISTS reports_share_added();
DROP FUNCTION IF EXISTS reports_share_removed();
DROP FUNCTION IF EXISTS reports_share_changed();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('partner', '0015_sellerdatachange_source_centre'),
        ('procurement', '0010_official_payment_paid_on_index'),
        ('reports', '0003_paid_payment'),
    ]

    operations = [
        migrations.CreateModel(
            name='RequisitionShare',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=0, max_digits=17, verbose_name='Nilai')),
                ('lines', models.PositiveIntegerField(verbose_name='Baris')),
                ('requisition', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procurement.requisition')),
                ('seller', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partner.partner')),
            ],
            options={
                'verbose_name': 'bagian penjual dalam permintaan (ringkasan laporan)',
                'verbose_name_plural': 'bagian penjual dalam permintaan (ringkasan laporan)',
                'constraints': [models.UniqueConstraint(fields=('requisition', 'seller'), name='report_share_unique')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
