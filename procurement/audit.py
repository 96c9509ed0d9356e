"""The tamper-evident trail: append-only entries, each chained to the one before by a keyed hash.

Every procurement service calls ``audit_record`` inside its own transaction,
so a change and its entry commit or roll back together. Entries are
serialised by a transaction-scoped PostgreSQL advisory lock, so two writers
can never chain onto the same previous entry; the lock is held until commit,
so a service takes its row locks first and records its entry last. Database
triggers refuse UPDATE, DELETE and TRUNCATE of an entry.

Each hash is an HMAC under a key from the environment (``PEKEN_AUDIT_KEYS``),
never stored in the database: someone who can write the database but has not
the key cannot make an edited or forged entry fit. Entries written before the
chain was keyed keep their plain sha256; the migration that keyed the chain
appended one keyed "seal" entry after them, whose HMAC covers their head, so
they are held by the key too. Entries cut from the end leave no trace in the
chain itself: the nightly watch publishes the head (``AuditHead``, email, log)
and ``audit_chain_check`` proves every published head is still there
(procurement/audit_watch.py).
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from procurement.models import AuditEntry, AuditHead, AuditScheme, Requisition

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
LOCK_KEY = 7_311_202_611  # any fixed number; names the audit chain's advisory lock
SEAL_ACTION = "audit.keyed"  # the keyed entry that closes the entries hashed without a key


class UnknownAuditKey(KeyError):
    """An entry names a key id that PEKEN_AUDIT_KEYS does not hold (dropped at a rotation?)."""


def audit_keys() -> dict[str, bytes]:
    """The HMAC keys by id from ``PEKEN_AUDIT_KEYS`` ("id:secret", ...); the first signs new entries.

    Raises ImproperlyConfigured when the setting is empty or malformed.
    """
    keys: dict[str, bytes] = {}
    for item in settings.PEKEN_AUDIT_KEYS:
        key_id, _sep, secret = item.partition(":")
        if not key_id or not secret or len(key_id) > 32 or key_id in keys:
            raise ImproperlyConfigured("PEKEN_AUDIT_KEYS: each key is id:secret, ids unique, at most 32 long")
        keys[key_id] = secret.encode()
    if not keys:
        raise ImproperlyConfigured("PEKEN_AUDIT_KEYS is empty: the audit chain needs a key")
    return keys


def audit_current_key_id() -> str:
    """The id of the key new entries are signed with (the first of PEKEN_AUDIT_KEYS)."""
    return next(iter(audit_keys()))


def _canonical(entry) -> str:
    body = {
        "seq": entry.seq,
        "date": entry.date_created.isoformat(),
        "actor": entry.actor_id,
        "acting_for": entry.acting_for_id,
        "ip": entry.ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "requisition": entry.requisition_id,
        "before": entry.before,
        "after": entry.after,
    }
    if entry.scheme != AuditScheme.SHA256:
        # the key id is signed too (the unkeyed scheme's body stays as its entries were hashed)
        body["scheme"], body["key"] = entry.scheme, entry.key_id
    return json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder, ensure_ascii=False)


def entry_hash(entry, prev_hash: str) -> str:
    """The hash ``entry`` must carry after ``prev_hash``, by its own scheme and key.

    Raises UnknownAuditKey when the entry's key is not in PEKEN_AUDIT_KEYS.
    """
    message = (prev_hash + _canonical(entry)).encode()
    if entry.scheme == AuditScheme.SHA256:
        return hashlib.sha256(message).hexdigest()
    if entry.scheme != AuditScheme.HMAC_SHA256:
        raise ValueError(f"unknown audit hash scheme {entry.scheme!r}")
    try:
        key = audit_keys()[entry.key_id]
    except KeyError:
        raise UnknownAuditKey(entry.key_id) from None
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _plain(values: dict | None) -> dict | None:
    """The values exactly as the database will give them back, so the hash can be recomputed.

    Money (Decimal, at any depth) and floats become strings: PostgreSQL's jsonb
    would read 1e20 back as 100000000000000000000; dates become ISO strings,
    tuples lists, and keys strings.
    """
    if values is None:
        return None
    return json.loads(
        json.dumps(
            {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}, cls=DjangoJSONEncoder
        ),
        parse_float=str,
    )


def _ip(value: str | None) -> str | None:
    # the database keeps IPv6 in its short form; hash what will be read back
    if not value:
        return None
    return clean_ipv6_address(value) if ":" in value else value


def audit_record(
    *,
    actor,
    action: str,
    obj,
    before: dict | None = None,
    after: dict | None = None,
    acting_for=None,
    ip: str | None = None,
    requisition=None,
) -> AuditEntry:
    """Append one entry to the chain: who (acting for whom, from where) did what to which object.

    Must run inside the transaction of the change it records; raises
    RuntimeError otherwise, so a change can never commit without its entry.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # no FOR UPDATE: the advisory lock serialises writers, and the application's role
    # needs no UPDATE right on the table (README, Production)
    last = AuditEntry.objects.order_by("-seq").first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        date_created=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        acting_for=acting_for if getattr(acting_for, "pk", None) else None,
        ip=_ip(ip),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        requisition=requisition,
        before=_plain(before),
        after=_plain(after),
        prev_hash=last.hash if last else GENESIS,
        scheme=AuditScheme.HMAC_SHA256,
        key_id=audit_current_key_id(),
    )
    entry.hash = entry_hash(entry, entry.prev_hash)
    entry.save(force_insert=True)
    return entry


def audit_official_order_status(
    *, order, old: str, new: str, actor, party: str, reason: str = "", ip: str | None = None
) -> AuditEntry | None:
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
    return audit_record(
        actor=actor,
        action="order.status",
        obj=order,
        requisition=requisition,
        ip=ip,
        before={"status": old},
        after={"status": new, "order": order.number, "party": party, "reason": reason},
    )


def audit_legacy_seal(*, model=AuditEntry):
    """Close the entries hashed without a key with one keyed entry after them; None if there are none.

    The seal's HMAC covers the last unkeyed hash, so rewriting any of them
    breaks the chain at the seal for anyone without the key. Run once, by the
    migration that keyed the chain (``model`` is its historical AuditEntry),
    with PEKEN_AUDIT_KEYS set; ``audit_chain_check`` refuses unkeyed entries
    that no seal follows.
    """
    last = model.objects.order_by("-seq").first()
    if last is None or last.scheme != AuditScheme.SHA256:
        return None
    seal = model(
        seq=last.seq + 1,
        date_created=timezone.now(),
        actor=None,
        acting_for=None,
        ip=None,
        action=SEAL_ACTION,
        object_type="procurement.auditentry",
        object_id=str(last.seq),
        requisition=None,
        before=None,
        after={"unkeyed_through": last.seq},
        prev_hash=last.hash,
        scheme=AuditScheme.HMAC_SHA256,
        key_id=audit_current_key_id(),
    )
    seal.hash = entry_hash(seal, seal.prev_hash)
    seal.save(force_insert=True)
    return seal


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops fitting: the entry found there and what is wrong with it."""

    entry: AuditEntry
    # "missing" (entries before it were deleted), "link", "content", "key" (its key is not
    # configured) or "unkeyed" (hashed without a key where only keyed entries belong)
    reason: str
    expected_seq: int


@dataclass(frozen=True)
class Head:
    """A head noted earlier: published on ``day`` (AuditHead), or given from outside (day None)."""

    seq: int
    hash: str
    day: date | None = None


@dataclass(frozen=True)
class HeadLoss:
    """A noted head no longer in the chain: "cut" (entries removed from the end) or "rebuilt"."""

    head: Head
    reason: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    broken: ChainBreak | None
    # the last entry that fits: publish it, and a later run proves nothing up to it vanished
    head_seq: int = 0
    head_hash: str = GENESIS
    head_lost: HeadLoss | None = None
    heads_checked: int = 0

    @property
    def intact(self) -> bool:
        return self.broken is None and self.head_lost is None


def _hash_fault(entry: AuditEntry, prev_hash: str) -> str | None:
    try:
        return None if entry_hash(entry, prev_hash) == entry.hash else "content"
    except UnknownAuditKey:
        return "key"


def audit_chain_check(*, heads: tuple[Head, ...] = (), published: bool = True) -> ChainReport:
    """Walk the whole chain in ``seq`` order: how many entries fit, the first that does not, lost heads.

    A deleted entry shows as a gap in ``seq`` ("missing", the entry after the gap
    is named); a swapped or re-linked one as a ``prev_hash`` that is not the hash of
    the entry before it ("link"); an edited or forged one as a hash its key does
    not give ("content"), or a key PEKEN_AUDIT_KEYS lacks ("key"); an entry hashed
    without a key after the keyed part began, or not closed by the seal, as
    "unkeyed". Deleting the newest entries leaves no gap: every head in ``heads``
    (an auditor's, from the email) and, with ``published``, every head the watch
    published (AuditHead) must still be in the chain with the same hash.
    """
    wanted: dict[int, list[Head]] = {}
    noted = [*heads, *(Head(h.seq, h.hash, h.day) for h in (AuditHead.objects.all() if published else ()))]
    for head in noted:
        wanted.setdefault(head.seq, []).append(head)
    found = {0: GENESIS}
    prev_hash, expected_seq, count = GENESIS, 1, 0
    keyed, unsealed = False, None  # unsealed: the first of a run of unkeyed entries no seal closed yet
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        reason, named = None, entry
        if entry.seq != expected_seq:
            reason = "missing"
        elif entry.prev_hash != prev_hash:
            reason = "link"
        else:
            reason = _hash_fault(entry, prev_hash)
        if reason is None and entry.scheme == AuditScheme.SHA256:
            if keyed:
                reason = "unkeyed"
            elif unsealed is None:
                unsealed = entry
        elif reason is None and unsealed is not None:
            if entry.action != SEAL_ACTION or (entry.after or {}).get("unkeyed_through") != entry.seq - 1:
                reason, named = "unkeyed", unsealed
            unsealed = None
        if reason and named is entry:
            return ChainReport(
                count,
                ChainBreak(entry, reason, expected_seq),
                expected_seq - 1,
                prev_hash,
                heads_checked=len(noted),
            )
        if reason:
            fits = named.seq - 1
            return ChainReport(
                fits, ChainBreak(named, reason, fits + 1), fits, named.prev_hash, heads_checked=len(noted)
            )
        keyed = keyed or entry.scheme != AuditScheme.SHA256
        if entry.seq in wanted:
            found[entry.seq] = entry.hash
        prev_hash, expected_seq, count = entry.hash, entry.seq + 1, count + 1
    if unsealed is not None:
        fits = unsealed.seq - 1
        return ChainReport(
            fits,
            ChainBreak(unsealed, "unkeyed", fits + 1),
            fits,
            unsealed.prev_hash,
            heads_checked=len(noted),
        )
    head_seq = expected_seq - 1
    rebuilt = [h for seq, hs in wanted.items() if seq <= head_seq for h in hs if h.hash != found[seq]]
    cut = [h for seq, hs in wanted.items() if seq > head_seq for h in hs]
    lost = (
        HeadLoss(min(rebuilt, key=lambda h: h.seq), "rebuilt")
        if rebuilt
        else HeadLoss(max(cut, key=lambda h: h.seq), "cut")
        if cut
        else None
    )
    return ChainReport(count, None, head_seq, prev_hash, lost, len(noted))


def audit_verify() -> AuditEntry | None:
    """Walk the chain in order; return the first entry that does not fit, or None if all do.

    See ``audit_chain_check`` for what counts as broken and why.
    """
    broken = audit_chain_check().broken
    return broken.entry if broken else None


def audit_entries_check(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Check some entries against their neighbours in the chain; return those that do not fit.

    An entry fits when its hash matches its content under its key, the entry before
    it (seq - 1) carries the hash it links to, the entry after it (if any) links to
    it, and, if unkeyed, it comes before the keyed part of the chain.
    Two queries whatever the number of entries, so a page can show it; the whole
    chain is checked by ``manage.py audit_verify``.
    """
    seqs = {entry.seq for entry in entries}
    neighbours = {
        e.seq: e
        for e in AuditEntry.objects.filter(seq__in={s - 1 for s in seqs} | {s + 1 for s in seqs}).only(
            "seq", "hash", "prev_hash"
        )
    }
    # an unkeyed entry fits only before the first keyed one (the seal); asked only when one is shown
    keyed_from = (
        AuditEntry.objects.exclude(scheme=AuditScheme.SHA256)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
        if any(entry.scheme == AuditScheme.SHA256 for entry in entries)
        else None
    )
    broken = []
    for entry in entries:
        before = neighbours.get(entry.seq - 1)
        before_hash = GENESIS if entry.seq == 1 else (before.hash if before else None)
        after = neighbours.get(entry.seq + 1)
        unkeyed_late = entry.scheme == AuditScheme.SHA256 and (keyed_from is None or entry.seq > keyed_from)
        if (
            entry.prev_hash != before_hash
            or _hash_fault(entry, entry.prev_hash)
            or unkeyed_late
            or (after is not None and after.prev_hash != entry.hash)
        ):
            broken.append(entry)
    return broken
