"""manage.py audit_verify: walk the procurement audit chain and name the first entry that does not fit.

Each run prints the chain's head (last seq and hash). Noted somewhere the database
administrators cannot write (a signed report, an email to the Inspektorat), it lets
a later run with ``--anchor SEQ:HASH`` prove that no entry up to it was removed from
the end of the chain, which a gap check alone cannot see.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.audit import audit_chain_check
from procurement.models import AuditEntry

REASONS = {
    "missing": gettext_lazy("entri #%(expected)s sampai sebelum #%(seq)s hilang (dihapus)"),
    "link": gettext_lazy("tautan ke entri sebelumnya tidak cocok "
                         "(entri ditukar, disisipkan, atau entri sebelumnya diubah)"),
    "content": gettext_lazy("isi entri tidak cocok dengan hash-nya (entri diubah)"),
}


def _anchor(value: str) -> tuple[int, str]:
    seq, _sep, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(_("--anchor harus berbentuk SEQ:HASH, misalnya 120:3f5a… "
                             "(hash 64 karakter heksadesimal)."))
    return int(seq), digest.lower()


class Command(BaseCommand):
    help = ("Verifies the hash chain of the procurement audit trail; exits non-zero at the first broken "
            "entry, or when an anchor noted earlier (SEQ:HASH) is no longer in the chain.")

    def add_arguments(self, parser):
        parser.add_argument("--anchor", help="SEQ:HASH of a head printed by an earlier run")

    def handle(self, *args, **options):
        anchor = _anchor(options["anchor"]) if options.get("anchor") else None
        report = audit_chain_check()
        if not report.intact:
            broken = report.broken
            entry = broken.entry
            when = timezone.localtime(entry.date_created).strftime("%Y-%m-%d %H:%M:%S %Z")
            reason = REASONS[broken.reason] % {"expected": broken.expected_seq, "seq": entry.seq}
            raise CommandError(
                _("Rantai audit RUSAK pada entri #%(seq)s (%(when)s, %(action)s, %(object)s): %(reason)s. "
                  "%(count)s entri sebelumnya utuh.")
                % {"seq": entry.seq, "when": when, "action": entry.action, "reason": reason,
                   "object": f"{entry.object_type}:{entry.object_id}", "count": report.count}
            )
        if anchor is not None:
            seq, digest = anchor
            if seq > report.head_seq:
                raise CommandError(
                    _("Rantai audit RUSAK: entri #%(seq)s yang dicatat sebelumnya tidak ada lagi; "
                      "rantai kini berakhir di #%(head)s, jadi entri #%(first)s sampai #%(seq)s "
                      "dihapus dari ujungnya.")
                    % {"seq": seq, "head": report.head_seq, "first": report.head_seq + 1})
            if not AuditEntry.objects.filter(seq=seq, hash=digest).exists():
                raise CommandError(
                    _("Rantai audit RUSAK: hash entri #%(seq)s tidak sama dengan yang dicatat sebelumnya; "
                      "rantai sampai entri itu dibangun ulang.") % {"seq": seq})
        message = _("Rantai audit utuh: %(count)s entri") % {"count": report.count}
        self.stdout.write(self.style.SUCCESS(message))
        head = {"seq": report.head_seq, "hash": report.head_hash}
        self.stdout.write(_("Ujung rantai: %(seq)s:%(hash)s") % head)
