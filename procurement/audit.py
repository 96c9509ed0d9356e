"""The tamper-evident trail: append-only entries, each chained to the one before by hash.

Every procurement service calls ``audit_record`` inside its own transaction,
so a change and its entry commit or roll back together. Entries are
serialised by a transaction-scoped PostgreSQL advisory lock (a table-wide
lock elsewhere), so two writers can never chain onto the same previous entry.
"""

import hashlib
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from procurement.models import AuditEntry

GENESIS = "0" * 64
LOCK_KEY = 7_311_202_611  # any fixed number; names the audit chain's advisory lock


def _canonical(entry: AuditEntry) -> str:
    body = {
        "seq": entry.seq, "date": entry.date_created.isoformat(), "actor": entry.actor_id,
        "acting_for": entry.acting_for_id, "ip": entry.ip, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id,
        "requisition": entry.requisition_id, "before": entry.before, "after": entry.after,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder, ensure_ascii=False)


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    return hashlib.sha256((prev_hash + _canonical(entry)).encode()).hexdigest()


def _plain(values: dict | None) -> dict | None:
    """JSON-safe values (money as strings, so 1500000 and 1500000.00 hash alike)."""
    if values is None:
        return None
    return json.loads(json.dumps({k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()},
                                 cls=DjangoJSONEncoder))


def audit_record(*, actor, action: str, obj, before: dict | None = None, after: dict | None = None,
                 acting_for=None, ip: str | None = None, requisition=None) -> AuditEntry:
    """Append one entry to the chain: who (acting for whom, from where) did what to which object.

    Must run inside the transaction of the change it records; raises
    RuntimeError otherwise, so a change can never commit without its entry.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    last = AuditEntry.objects.select_for_update().order_by("-seq").first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1, date_created=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        acting_for=acting_for if getattr(acting_for, "pk", None) else None, ip=ip or None,
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk),
        requisition=requisition, before=_plain(before), after=_plain(after),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry, entry.prev_hash)
    entry.save(force_insert=True)
    return entry


def audit_verify() -> AuditEntry | None:
    """Walk the chain in order; return the first entry that does not fit, or None if all do.

    A deleted entry shows as a gap in ``seq`` (the entry after the gap is
    returned); an edited one as a hash that no longer matches its content or
    a link that no longer matches the entry before it.
    """
    prev_hash, expected_seq = GENESIS, 1
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        linked = entry.seq == expected_seq and entry.prev_hash == prev_hash
        if not linked or entry_hash(entry, prev_hash) != entry.hash:
            return entry
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    return None
