"""Each product's lowest and highest requisition-line price, only ever widened (PostgreSQL triggers).

Rows a statement inserts or updates widen their product's range in one grouped upsert (LEAST and
GREATEST: concurrent statements may run in either order); a deleted line leaves the range as it
was, which still holds every price there is. The lines already there are read once here.
"""

import django.db.models.deletion
from django.db import migrations, models

WIDEN = """
    INSERT INTO reports_productpricerange AS p (product_id, lowest, highest)
    SELECT product_id, MIN(unit_price), MAX(unit_price) FROM added
    WHERE product_id IS NOT NULL GROUP BY product_id ORDER BY product_id
    ON CONFLICT (product_id) DO UPDATE
    SET lowest = LEAST(p.lowest, EXCLUDED.lowest), highest = GREATEST(p.highest, EXCLUDED.highest)
    WHERE EXCLUDED.lowest < p.lowest OR EXCLUDED.highest > p.highest"""
FORWARD = f"""
CREATE FUNCTION reports_price_range_widen() RETURNS trigger AS $$
BEGIN
    {WIDEN};
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_price_range_insert AFTER INSERT ON procurement_requisitionline
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION reports_price_range_widen();
CREATE TRIGGER reports_price_range_update AFTER UPDATE ON procurement_requisitionline
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION reports_price_range_widen();

INSERT INTO reports_productpricerange (product_id, lowest, highest)
SELECT product_id, MIN(unit_price), MAX(unit_price) FROM procurement_requisitionline
WHERE product_id IS NOT NULL GROUP BY product_id;
"""
BACKWARD = """
DROP TRIGGER IF EXISTS reports_price_range_insert ON procurement_requisitionline;
DROP TRIGGER IF EXISTS reports_price_range_update ON procurement_requisitionline;
DROP FUNCTION IF EXISTS reports_price_range_widen();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0039_product_supply_kind'),
        ('reports', '0004_requisition_share'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProductPriceRange',
            fields=[
                ('product', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='catalogue.product')),
                ('lowest', models.DecimalField(decimal_places=0, max_digits=15, verbose_name='Harga terendah')),
                ('highest', models.DecimalField(decimal_places=0, max_digits=15, verbose_name='Harga tertinggi')),
            ],
            options={
                'verbose_name': 'rentang harga produk (ringkasan laporan)',
                'verbose_name_plural': 'rentang harga produk (ringkasan laporan)',
            },
        ),
        migrations.RunPython(forward, backward),
    ]
