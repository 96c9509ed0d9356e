"""The audit chain's nightly watch: check the chain, publish its head, tell the auditors.

Every night ``audit_chain_watch`` (a Celery beat task) checks the whole chain
(procurement.audit.audit_chain_check), records and emails its head so entries
cut from the end can be proven missing later, and emails the auditors in
their words when anything is broken.
"""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from peken.mail import mail_users
from procurement.audit import ChainReport, audit_chain_check
from procurement.models import AuditHead, AuditScheme, Membership
from procurement.statuses import Role

logger = logging.getLogger("procurement.audit")  # the one the settings log at INFO, as the chain's own


REASONS = {
    "missing": gettext_noop("entri #%(expected)s sampai sebelum #%(seq)s hilang (dihapus)"),
    "link": gettext_noop(
        "tautan ke entri sebelumnya tidak cocok (entri ditukar, disisipkan, atau entri sebelumnya diubah)"
    ),
    "content": gettext_noop(
        "isi entri tidak cocok dengan HMAC-nya dengan kunci '%(key)s': entri diubah "
        "atau dipalsukan, atau kunci '%(key)s' di PEKEN_AUDIT_KEYS bukan kunci yang "
        "menulisnya"
    ),
    "content-unkeyed": gettext_noop("isi entri tidak cocok dengan hash-nya (entri diubah)"),
    "key": gettext_noop(
        "entri ditulis dengan kunci '%(key)s' yang tidak ada di PEKEN_AUDIT_KEYS; setelah "
        "rotasi, kunci lama harus tetap dicantumkan (sesudah kunci baru) agar entrinya "
        "bisa diperiksa"
    ),
    "unkeyed": gettext_noop(
        "entri di-hash tanpa kunci di bagian rantai yang wajib berkunci (entri dipalsukan)"
    ),
}


def audit_report_problem(report: ChainReport) -> str:
    """What is wrong with a chain that is not intact, in one paragraph (the active language)."""
    if report.broken is not None:
        broken = report.broken
        entry = broken.entry
        unkeyed_edit = broken.reason == "content" and entry.scheme == AuditScheme.SHA256
        reason = REASONS["content-unkeyed" if unkeyed_edit else broken.reason]
        facts = {
            "seq": entry.seq,
            "action": entry.action,
            "object": f"{entry.object_type}:{entry.object_id}",
            "when": timezone.localtime(entry.date_created).strftime("%Y-%m-%d %H:%M:%S %Z"),
            "count": report.count,
            "expected": broken.expected_seq,
            "key": entry.key_id,
        }
        return _(
            "Rantai audit RUSAK pada entri #%(seq)s (%(when)s, %(action)s, %(object)s): %(reason)s. "
            "%(count)s entri sebelumnya utuh."
        ) % {**facts, "reason": _(reason) % facts}
    head = report.head_lost.head
    source = (
        _("ujung yang diterbitkan %(day)s") % {"day": head.day.isoformat()}
        if head.day
        else _("ujung yang dicatat sebelumnya")
    )
    facts = {"seq": head.seq, "source": source, "head": report.head_seq, "first": report.head_seq + 1}
    if report.head_lost.reason == "cut":
        return (
            _(
                "Rantai audit RUSAK: entri #%(seq)s (%(source)s) tidak ada lagi; rantai kini berakhir di "
                "#%(head)s, jadi entri #%(first)s sampai #%(seq)s dihapus dari ujungnya."
            )
            % facts
        )
    return (
        _(
            "Rantai audit RUSAK: hash entri #%(seq)s tidak sama dengan %(source)s; rantai sampai entri itu "
            "dibangun ulang."
        )
        % facts
    )


def _auditors():
    memberships = Membership.objects.filter(role=Role.AUDITOR).select_related("user")
    return {m.user_id: m.user for m in memberships}.values()


def audit_head_publish(*, report: ChainReport) -> AuditHead | None:
    """Publish an intact chain's head once per night: stored, logged, and emailed to every auditor.

    The email is the copy a database administrator cannot rewrite: an auditor
    who keeps it can later run ``manage.py audit_verify --head SEQ:HASH``.
    Returns None when this head was already published tonight (a retry) or the chain is empty.
    """
    if not report.intact or report.count == 0:
        return None
    head, created = AuditHead.objects.get_or_create(
        day=timezone.localdate(),
        seq=report.head_seq,
        hash=report.head_hash,
        defaults={"date_created": timezone.now()},
    )
    if not created:
        return None
    facts = {"day": head.day.isoformat(), "seq": head.seq, "hash": head.hash, "count": report.count}
    logger.info("audit chain head published for %(day)s: %(seq)s:%(hash)s (%(count)s entries, intact)", facts)
    mail_users(
        users=_auditors(),
        render=lambda: (
            _("Ujung rantai audit pengadaan %(day)s: entri #%(seq)s") % facts,
            _(
                "Pemeriksaan malam ini: rantai audit utuh, %(count)s entri.\n\n"
                "Ujung rantai: %(seq)s:%(hash)s\n\n"
                "Simpan email ini di luar Peken. Untuk membuktikan kelak bahwa tidak ada entri "
                "sampai #%(seq)s yang dihapus atau dibangun ulang, jalankan: "
                "manage.py audit_verify --head %(seq)s:%(hash)s"
            )
            % facts,
        ),
    )
    return head


def audit_chain_watch() -> ChainReport:
    """Check the whole chain (nightly, Celery beat): publish its head if intact, else alarm the auditors.

    An intact chain's head is published once per night (``audit_head_publish``).
    A broken chain, or a published head no longer in it, is logged and emailed to
    every auditor every run until it is dealt with, since nobody can repair it
    through the application. Returns the report.
    """
    report = audit_chain_check()
    if report.intact:
        audit_head_publish(report=report)
        return report
    logger.error("audit chain broken: %s", audit_report_problem(report))
    if report.broken is not None:
        facts = {"seq": report.broken.entry.seq}
        subject = gettext_noop("Rantai audit pengadaan RUSAK pada entri #%(seq)s")
    else:
        facts = {"seq": report.head_lost.head.seq}
        subject = gettext_noop("Rantai audit pengadaan RUSAK: ujung #%(seq)s hilang")
    mail_users(
        users=_auditors(),
        render=lambda: (
            _(subject) % facts,
            _(
                "Pemeriksaan malam ini: %(problem)s\n\n"
                "Jalankan manage.py audit_verify untuk rinciannya dan periksa "
                "siapa yang mengubah basis data."
            )
            % {"problem": audit_report_problem(report)},
        ),
    )
    return report
