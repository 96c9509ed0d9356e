"""The audit trail is append-only in the database too: UPDATE and DELETE of an entry raise.

Even the ORM (or a careless shell) cannot edit or remove an entry; only someone who can
disable the trigger can, and ``manage.py audit_verify`` then names the broken entry.
PostgreSQL only: on another database the hash chain is the only guard.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION procurement_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'procurement_auditentry is append-only: % of entry % refused', TG_OP, OLD.seq
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER auditentry_append_only
    BEFORE UPDATE OR DELETE ON procurement_auditentry
    FOR EACH ROW EXECUTE FUNCTION procurement_auditentry_refuse_change();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS auditentry_append_only ON procurement_auditentry;
DROP FUNCTION IF EXISTS procurement_auditentry_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
