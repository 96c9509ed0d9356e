"""The audit tables cannot be emptied: TRUNCATE of the entries or the published heads raises.

A row trigger (0002) never sees TRUNCATE, so this statement trigger refuses it, even
through ``TRUNCATE ... CASCADE`` of a table they point to. The published heads are
append-only like the entries. Only someone who can disable the triggers (the tables'
owner: README, Production, runs the application as another role) can get round this, and
the keyed chain and the published head then show it. PostgreSQL only.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION procurement_audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER auditentry_no_truncate
    BEFORE TRUNCATE ON procurement_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION procurement_audit_refuse_truncate();
CREATE TRIGGER audithead_no_truncate
    BEFORE TRUNCATE ON procurement_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION procurement_audit_refuse_truncate();
CREATE OR REPLACE FUNCTION procurement_audithead_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'procurement_audithead is append-only: % of the head of % refused', TG_OP, OLD.day
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audithead_append_only
    BEFORE UPDATE OR DELETE ON procurement_audithead
    FOR EACH ROW EXECUTE FUNCTION procurement_audithead_refuse_change();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS auditentry_no_truncate ON procurement_auditentry;
DROP TRIGGER IF EXISTS audithead_no_truncate ON procurement_audithead;
DROP TRIGGER IF EXISTS audithead_append_only ON procurement_audithead;
DROP FUNCTION IF EXISTS procurement_audit_refuse_truncate();
DROP FUNCTION IF EXISTS procurement_audithead_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0005_auditentry_keyed_chain")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
