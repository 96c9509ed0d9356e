"""The tamper-evident trail: append-only entries, each chained to the one before by hash.

Every procurement service calls ``audit_record`` inside its own transaction,
so a change and its entry commit or roll back together. Entries are
serialised by a transaction-scoped PostgreSQL advisory lock, so two writers
can never chain onto the same previous entry; the lock is held until commit,
so a service takes its row locks first and records its entry last. A
database trigger (migration 0002) refuses UPDATE and DELETE of an entry.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address
from django.utils.translation import gettext as _

from peken.mail import mail_users
from procurement.models import AuditEntry, Membership, Requisition
from procurement.statuses import Role

logger = logging.getLogger(__name__)

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
    """The values exactly as the database will give them back, so the hash can be recomputed.

    Money (Decimal, at any depth) and floats become strings: PostgreSQL's jsonb
    would read 1e20 back as 100000000000000000000; dates become ISO strings,
    tuples lists, and keys strings.
    """
    if values is None:
        return None
    return json.loads(json.dumps({k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()},
                                 cls=DjangoJSONEncoder), parse_float=str)


def _ip(value: str | None) -> str | None:
    # the database keeps IPv6 in its short form; hash what will be read back
    if not value:
        return None
    return clean_ipv6_address(value) if ":" in value else value


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
        acting_for=acting_for if getattr(acting_for, "pk", None) else None, ip=_ip(ip),
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk),
        requisition=requisition, before=_plain(before), after=_plain(after),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry, entry.prev_hash)
    entry.save(force_insert=True)
    return entry


def audit_official_order_status(*, order, old: str, new: str, actor, party: str, reason: str = "",
                                ip: str | None = None) -> AuditEntry | None:
    """Chain a move of an official order (placed with no buyer for a requisition) to its requisition's trail.

    Personal orders are never recorded: a person's own shopping stays out of
    the agency's trail. Must run in the transaction of the move (see
    audit_record); returns None when the order is not official.
    """
    if order.user_id is not None or not order.checkout_reference:
        return None
    requisition = Requisition.objects.filter(checkout_reference=order.checkout_reference).first()
    if requisition is None:
        return None
    return audit_record(actor=actor, action="order.status", obj=order, requisition=requisition, ip=ip,
                        before={"status": old},
                        after={"status": new, "order": order.number, "party": party, "reason": reason})


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops fitting: the entry found there and what is wrong with it."""

    entry: AuditEntry
    reason: str  # "missing" (entries before it were deleted), "link" or "content"
    expected_seq: int


@dataclass(frozen=True)
class ChainReport:
    count: int
    broken: ChainBreak | None
    # the last entry that fits: note it somewhere else, and a later run can prove nothing after it vanished
    head_seq: int = 0
    head_hash: str = GENESIS

    @property
    def intact(self) -> bool:
        return self.broken is None


def audit_chain_check() -> ChainReport:
    """Walk the whole chain in ``seq`` order and report how many entries fit and the first that does not.

    A deleted entry shows as a gap in ``seq`` ("missing", the entry after the gap
    is named); a swapped or re-linked one as a ``prev_hash`` that is not the hash of
    the entry before it ("link"); an edited one as a hash that no longer matches
    its content ("content"). Deleting the newest entries leaves no gap: that is
    caught by comparing with a head (seq and hash) noted earlier, see
    ``manage.py audit_verify --anchor``.
    """
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        reason = None
        if entry.seq != expected_seq:
            reason = "missing"
        elif entry.prev_hash != prev_hash:
            reason = "link"
        elif entry_hash(entry, prev_hash) != entry.hash:
            reason = "content"
        if reason:
            return ChainReport(count, ChainBreak(entry, reason, expected_seq), expected_seq - 1, prev_hash)
        prev_hash, expected_seq, count = entry.hash, entry.seq + 1, count + 1
    return ChainReport(count, None, expected_seq - 1, prev_hash)


def audit_verify() -> AuditEntry | None:
    """Walk the chain in order; return the first entry that does not fit, or None if all do.

    See ``audit_chain_check`` for what counts as broken and why.
    """
    broken = audit_chain_check().broken
    return broken.entry if broken else None


def audit_entries_check(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Check some entries against their neighbours in the chain; return those that do not fit.

    An entry fits when its hash matches its content, the entry before it (seq - 1)
    carries the hash it links to, and the entry after it (if any) links to it.
    Two queries whatever the number of entries, so a page can show it; the whole
    chain is checked by ``manage.py audit_verify``.
    """
    seqs = {entry.seq for entry in entries}
    neighbours = {e.seq: e for e in AuditEntry.objects.filter(
        seq__in={s - 1 for s in seqs} | {s + 1 for s in seqs}).only("seq", "hash", "prev_hash")}
    broken = []
    for entry in entries:
        before = neighbours.get(entry.seq - 1)
        before_hash = GENESIS if entry.seq == 1 else (before.hash if before else None)
        after = neighbours.get(entry.seq + 1)
        if (entry.prev_hash != before_hash or entry_hash(entry, entry.prev_hash) != entry.hash
                or (after is not None and after.prev_hash != entry.hash)):
            broken.append(entry)
    return broken


def audit_chain_watch() -> ChainReport:
    """Check the whole chain (nightly, Celery beat) and email every auditor when it is broken.

    Sends nothing while the chain is intact; a broken chain is reported every
    run until it is dealt with, since nobody can repair it through the
    application. Returns the report.
    """
    report = audit_chain_check()
    if report.intact:
        return report
    entry = report.broken.entry
    facts = {"seq": entry.seq, "action": entry.action, "object": f"{entry.object_type}:{entry.object_id}",
             "when": timezone.localtime(entry.date_created).strftime("%Y-%m-%d %H:%M:%S %Z"),
             "count": report.count}
    logger.error("audit chain broken at entry #%(seq)s (%(when)s, %(action)s, %(object)s)", facts)
    memberships = Membership.objects.filter(role=Role.AUDITOR).select_related("user")
    auditors = {m.user_id: m.user for m in memberships}
    mail_users(users=auditors.values(), render=lambda: (
        _("Rantai audit pengadaan RUSAK pada entri #%(seq)s") % facts,
        _("Pemeriksaan malam ini menemukan entri #%(seq)s (%(when)s, %(action)s, %(object)s) tidak cocok "
          "dengan rantai audit; %(count)s entri sebelumnya utuh. Jalankan manage.py audit_verify untuk "
          "rinciannya dan periksa siapa yang mengubah basis data.") % facts))
    return report
