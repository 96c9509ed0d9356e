"""Residents' own shopping per day, kecamatan and category: a materialized view (PostgreSQL).

Refreshed concurrently (readers are not blocked) by Celery beat, reports.services.materialized_views_refresh;
its unique index is what a concurrent refresh needs. The day is the order's in the city's time
zone (settings.TIME_ZONE when this ran). Other databases get no view: personal_spend reads the
order lines there.
"""

from django.conf import settings
from django.db import migrations, models

DROPPED = ("Ditolak", "Dibatalkan")  # orders.statuses.OrderStatus.REJECTED, CANCELLED: final


def _forward_sql() -> str:
    zone = settings.TIME_ZONE.replace("'", "")
    dropped = ", ".join(f"'{status}'" for status in DROPPED)
    return f"""
CREATE MATERIALIZED VIEW reports_personal_spend_day AS
WITH first_category AS (
    SELECT DISTINCT ON (pc.product_id) pc.product_id, c.name
    FROM catalogue_productcategory pc JOIN catalogue_category c ON c.id = pc.category_id
    ORDER BY pc.product_id, c.path
)
SELECT (o.date_placed AT TIME ZONE '{zone}')::date AS day,
       COALESCE(s.kecamatan, '') AS kecamatan,
       COALESCE(fc.name, '') AS category,
       COUNT(DISTINCT o.id) AS orders,
       SUM(l.line_price_incl_tax) AS amount
FROM order_line l
JOIN order_order o ON o.id = l.order_id
LEFT JOIN partner_partner s ON s.id = o.seller_id
LEFT JOIN first_category fc ON fc.product_id = l.product_id
WHERE o.user_id IS NOT NULL AND o.status NOT IN ({dropped})
GROUP BY 1, 2, 3
WITH DATA;
CREATE UNIQUE INDEX reports_personal_spend_day_key ON reports_personal_spend_day (day, kecamatan, category);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_forward_sql())


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP MATERIALIZED VIEW IF EXISTS reports_personal_spend_day")


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_product_price_range'),
    ]

    operations = [
        migrations.CreateModel(
            name='PersonalSpendDay',
            fields=[
                ('pk', models.CompositePrimaryKey('day', 'kecamatan', 'category', blank=True, editable=False, primary_key=True, serialize=False)),
                ('day', models.DateField()),
                ('kecamatan', models.CharField(max_length=100)),
                ('category', models.CharField(max_length=255)),
                ('orders', models.PositiveIntegerField()),
                ('amount', models.DecimalField(decimal_places=2, max_digits=17)),
            ],
            options={
                'db_table': 'reports_personal_spend_day',
                'managed': False,
            },
        ),
        migrations.RunPython(forward, backward),
    ]
