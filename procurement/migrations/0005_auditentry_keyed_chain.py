"""The audit chain is keyed: entries from now on carry an HMAC under a key from the environment.

Entries written before keep their plain sha256 (``scheme`` sha256) and still verify by it;
re-hashing them would mean rewriting the trail. Instead one keyed entry, the seal
(``audit.keyed``), is appended after them: its HMAC covers their last hash, so rewriting
any of them breaks the chain at the seal for anyone without the key. Run it with
PEKEN_AUDIT_KEYS set to the production key (the release phase has it). Adds the published
heads of the nightly watch (``AuditHead``).
"""

from django.db import migrations, models


def seal(apps, schema_editor):
    from procurement.audit import audit_legacy_seal

    audit_legacy_seal(model=apps.get_model("procurement", "AuditEntry"))


class Migration(migrations.Migration):
    dependencies = [("procurement", "0004_requisition_contact")]

    operations = [
        # existing rows become sha256 by the column's one-off default (DDL: the append-only trigger
        # fires on no row); new entries always say which scheme and key they use
        migrations.AddField(
            model_name="auditentry", name="scheme",
            field=models.CharField(choices=[("sha256", "SHA-256 (tanpa kunci, entri lama)"),
                                            ("hmac-sha256", "HMAC-SHA256")], default="sha256", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry", name="key_id",
            field=models.CharField(blank=True, default="", max_length=32),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("day", models.DateField()),
                ("seq", models.BigIntegerField()),
                ("hash", models.CharField(max_length=64)),
                ("date_created", models.DateTimeField()),
            ],
            options={
                "ordering": ["day", "seq"],
                "constraints": [models.UniqueConstraint(fields=["day", "seq", "hash"],
                                                        name="audithead_once_a_night")],
            },
        ),
        migrations.RunPython(seal, migrations.RunPython.noop, elidable=False),
    ]
