"""manage.py audit_verify: walk the procurement audit chain and name the first entry that does not fit."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.audit import audit_chain_check

REASONS = {
    "missing": gettext_lazy("entri #%(expected)s sampai sebelum #%(seq)s hilang (dihapus)"),
    "link": gettext_lazy("tautan ke entri sebelumnya tidak cocok "
                         "(entri ditukar, disisipkan, atau entri sebelumnya diubah)"),
    "content": gettext_lazy("isi entri tidak cocok dengan hash-nya (entri diubah)"),
}


class Command(BaseCommand):
    help = "Verifies the hash chain of the procurement audit trail; exits non-zero at the first broken entry."

    def handle(self, *args, **options):
        report = audit_chain_check()
        if report.intact:
            message = _("Rantai audit utuh: %(count)s entri") % {"count": report.count}
            self.stdout.write(self.style.SUCCESS(message))
            return
        broken = report.broken
        entry = broken.entry
        when = timezone.localtime(entry.date_created).strftime("%Y-%m-%d %H:%M:%S %Z")
        reason = REASONS[broken.reason] % {"expected": broken.expected_seq, "seq": entry.seq}
        raise CommandError(
            _("Rantai audit RUSAK pada entri #%(seq)s (%(when)s, %(action)s, %(object)s): %(reason)s. "
              "%(count)s entri sebelumnya utuh.")
            % {"seq": entry.seq, "when": when, "action": entry.action,
               "object": f"{entry.object_type}:{entry.object_id}", "reason": reason, "count": report.count}
        )
