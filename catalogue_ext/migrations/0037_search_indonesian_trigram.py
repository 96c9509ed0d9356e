"""Search in Indonesian, and forgive typing mistakes (PostgreSQL only).

The trigger now indexes each text twice: stemmed by PostgreSQL's Indonesian
snowball stemmer, so "bermain" finds "mainan", and as written ('simple'), so a
word typed halfway still matches as a prefix. Titles keep weight A,
descriptions B. A trigram index on the title (pg_trgm) lets a misspelt word
("berass") find the title words it resembles. The GIN index on the stored
vector (product_search_gin) is unchanged. Other databases skip all this.
"""

from django.db import migrations

EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm;"

FORWARD = """
CREATE OR REPLACE FUNCTION catalogue_product_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('indonesian', coalesce(NEW.title, ''))
                  || to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('indonesian', coalesce(NEW.description, ''))
                  || to_tsvector('simple', coalesce(NEW.description, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE INDEX IF NOT EXISTS product_title_trgm ON catalogue_product USING gin (title gin_trgm_ops);

UPDATE catalogue_product SET title = title;
"""

BACKWARD = """
DROP INDEX IF EXISTS product_title_trgm;

CREATE OR REPLACE FUNCTION catalogue_product_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

UPDATE catalogue_product SET title = title;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXTENSION)
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    # pg_trgm stays: other objects in the database may use it, and unused it costs nothing.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0036_listing_curation")]

    operations = [migrations.RunPython(forward, backward)]
