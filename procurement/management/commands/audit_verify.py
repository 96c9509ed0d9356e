"""manage.py audit_verify: walk the procurement audit chain and name the first entry that does not fit.

Checks every entry's HMAC (PEKEN_AUDIT_KEYS must hold every key that wrote one) and, by
default, that every head the nightly watch published is still in the chain. Those heads
live in the same database, so someone who can rewrite it could rewrite them too: an
auditor who kept a head from the watch's email passes it as ``--head SEQ:HASH``, which
nobody with database access alone can get round.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from procurement.audit import Head, audit_chain_check
from procurement.audit_watch import audit_report_problem


def _head(value: str) -> Head:
    seq, _sep, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(
            _("--head harus berbentuk SEQ:HASH, misalnya 120:3f5a… (hash 64 karakter heksadesimal).")
        )
    return Head(int(seq), digest.lower())


class Command(BaseCommand):
    help = (
        "Verifies the keyed hash chain of the procurement audit trail against every published head and "
        "any --head given; exits non-zero at the first broken entry or lost head."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head",
            "--anchor",
            dest="heads",
            action="append",
            default=[],
            help="SEQ:HASH of a head from the nightly email or an earlier run (repeatable)",
        )
        parser.add_argument(
            "--no-published",
            dest="published",
            action="store_false",
            help="do not compare with the heads stored in the database",
        )

    def handle(self, *args, **options):
        heads = tuple(_head(value) for value in options["heads"])
        report = audit_chain_check(heads=heads, published=options["published"])
        if not report.intact:
            raise CommandError(audit_report_problem(report))
        message = _("Rantai audit utuh: %(count)s entri") % {"count": report.count}
        self.stdout.write(self.style.SUCCESS(message))
        head = {"seq": report.head_seq, "hash": report.head_hash}
        self.stdout.write(_("Ujung rantai: %(seq)s:%(hash)s") % head)
        self.stdout.write(
            _("Dibandingkan dengan %(count)s ujung yang dicatat sebelumnya.")
            % {"count": report.heads_checked}
        )
