"""Search in Indonesian, and forgive typing mistakes.

The trigger now indexes each text twice: stemmed by PostgreSQL's Indonesian
snowball stemmer, so "minuman" finds "Air Minum", and as written ('simple'),
so a word typed halfway still matches as a prefix. Titles keep weight A,
descriptions B; the GIN index on the stored vector (product_search_gin) is
unchanged. SearchWord, the vocabulary of titles on sale, gets a trigram index
(pg_trgm) so a misspelt word ("berass") finds the words it resembles. Other
databases get the table only: search there is substring matching.
"""

from django.db import migrations, models

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

CREATE INDEX IF NOT EXISTS searchword_trgm ON catalogue_searchword USING gin (word gin_trgm_ops);

UPDATE catalogue_product SET title = title;
"""

BACKWARD = """
DROP INDEX IF EXISTS searchword_trgm;

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

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("products", models.PositiveIntegerField()),
            ],
            options={"abstract": False},
        ),
        migrations.RunPython(forward, backward),
    ]
