"""Keep Product.search_vector current with a PostgreSQL trigger.

A trigger rather than Python code so that every write path (Oscar's
dashboard, bulk inserts of the synthetic data, raw SQL) keeps search in step.
Titles weigh more than descriptions. Other databases skip this: search there
falls back to substring matching.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION catalogue_product_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS catalogue_product_search_vector_trg ON catalogue_product;
CREATE TRIGGER catalogue_product_search_vector_trg
    BEFORE INSERT OR UPDATE OF title, description ON catalogue_product
    FOR EACH ROW EXECUTE FUNCTION catalogue_product_search_vector();

UPDATE catalogue_product SET title = title;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS catalogue_product_search_vector_trg ON catalogue_product;
DROP FUNCTION IF EXISTS catalogue_product_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0033_peken_product_fields")]

    operations = [migrations.RunPython(forward, backward)]
