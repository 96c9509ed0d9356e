"""Budget lines and their commitments: release, change by hand, import from a SIPD-style CSV.

A budget line's committed total always equals the sum of its live
commitments: both change together under the line's row lock. A ceiling never
falls below what a line has committed and realised. A CSV import is all or
nothing (procurement/budget_csv.py checks the file), and a big file runs in
a worker (peken.imports).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from peken import locks
from peken.imports import ImportJobFailed, Progress, import_job_start
from peken.models import ImportJob, ImportKind
from peken.money import rupiah_format
from procurement import budget_csv
from procurement.audit import audit_record
from procurement.models import Agency, BudgetCommitment, BudgetLine, Requisition
from procurement.services._common import BudgetExceeded, BudgetLineRefused, ProcurementError, _locked
from procurement.statuses import CommitmentStatus, commitment_move_allowed


def _commitment_move(commitment: BudgetCommitment, *, to: str) -> None:
    """Close a locked commitment (released or realised) and save it: the one place its status is set.

    The caller records the move in the audit trail with its reason. Raises
    ProcurementError for a move COMMITMENT_TRANSITIONS does not allow: a
    commitment is closed once and never held again.
    """
    if not commitment_move_allowed(old=commitment.status, new=to):
        raise ProcurementError(
            _("Dana ini sudah tidak terikat (%(status)s).") % {"status": commitment.get_status_display()}
        )
    commitment.status = to
    commitment.date_closed = timezone.now()
    commitment.save(update_fields=["status", "date_closed"])


def _commitment_reduce(*, commitment: BudgetCommitment, amount: Decimal | None) -> tuple[Decimal, dict, dict]:
    """Give ``amount`` (all if None or more than held) of a live commitment back to its budget line.

    The budget line row is locked; returns what was released and the
    before/after values for the audit entry. Giving back all of it releases
    the commitment (_commitment_move). Raises ProcurementError for a
    commitment COMMITMENT_TRANSITIONS does not let go (released or realised).
    """
    if not commitment_move_allowed(old=commitment.status, new=CommitmentStatus.RELEASED):
        raise ProcurementError(
            _("Dana ini sudah tidak terikat (%(status)s).") % {"status": commitment.get_status_display()}
        )
    line = locks.budget_line_lock(budget_line_id=commitment.budget_line_id)
    held = commitment.amount
    release = held if amount is None else min(Decimal(amount), held)
    if release <= 0:
        raise ProcurementError(_("Jumlah yang dilepas harus lebih dari nol."))
    before = {
        "commitment_status": commitment.status,
        "commitment_amount": held,
        "line_committed": line.committed,
    }
    if release == held:
        # a commitment partly paid and then let go of is closed as realised: money was spent
        _commitment_move(
            commitment, to=CommitmentStatus.REALISED if commitment.realised else CommitmentStatus.RELEASED
        )
    else:
        commitment.amount = held - release
        commitment.save(update_fields=["amount"])
    BudgetLine.objects.filter(pk=line.pk).update(
        committed=F("committed") - release, date_updated=timezone.now()
    )
    after = {
        "commitment_status": commitment.status,
        "commitment_amount": commitment.amount,
        "line_committed": line.committed - release,
        "released": release,
    }
    return release, before, after


def _commitment_realise(*, commitment: BudgetCommitment, gross: Decimal) -> tuple[dict, dict]:
    """A payment of ``gross`` (the invoice, taxes included): committed -> realised on the budget line.

    The commitment gives up the gross (at most what it still holds: approval committed the
    prices with the PPN and PBJT on top); the line's realised rises by the gross (taxes withheld
    are budget spent too), and whatever the gross passes the commitment (rates changed since)
    comes out of the line's available money. The budget line row is locked; its committed total
    stays the sum of live commitments. Raises BudgetExceeded when the line cannot cover that,
    ProcurementError for a commitment already closed. Returns the before/after values for the
    audit entry.
    """
    if not commitment_move_allowed(old=commitment.status, new=CommitmentStatus.REALISED):
        raise ProcurementError(
            _("Dana ini sudah tidak terikat (%(status)s).") % {"status": commitment.get_status_display()}
        )
    line = locks.budget_line_lock(budget_line_id=commitment.budget_line_id)
    taken = _commitment_realise_check(commitment=commitment, line=line, gross=gross)
    before = {
        "commitment_status": commitment.status,
        "commitment_amount": commitment.amount,
        "line_committed": line.committed,
        "line_realised": line.realised,
    }
    commitment.amount -= taken
    commitment.realised += gross
    if commitment.amount == 0:  # closed before its amount reaches zero: a live one holds money
        _commitment_move(commitment, to=CommitmentStatus.REALISED)
    commitment.save(update_fields=["amount", "realised"])
    BudgetLine.objects.filter(pk=line.pk).update(
        committed=F("committed") - taken, realised=F("realised") + gross, date_updated=timezone.now()
    )
    after = {
        "commitment_status": commitment.status,
        "commitment_amount": commitment.amount,
        "line_committed": line.committed - taken,
        "line_realised": line.realised + gross,
        "realised": gross,
    }
    return before, after


def _commitment_realise_check(*, commitment: BudgetCommitment, line: BudgetLine, gross: Decimal) -> Decimal:
    """What a payment of ``gross`` takes from the commitment.

    What the commitment no longer holds must fit in the locked ``line``'s available money;
    raises BudgetExceeded otherwise. Asked again before a card is charged, so a KKPD payment the
    line cannot cover is refused before Stripe takes the money.
    """
    taken = min(gross, commitment.amount)
    extra = gross - taken
    if extra > line.available:
        raise BudgetExceeded(
            _(
                "Anggaran %(line)s tidak cukup untuk tagihan di atas yang diikat: perlu %(extra)s, "
                "tersedia %(available)s."
            )
            % {
                "line": line.account_code,
                "extra": rupiah_format(extra),
                "available": rupiah_format(line.available),
            }
        )
    return taken


def budget_release(
    *, requisition: Requisition, amount: Decimal | None, actor, reason: str, ip: str | None = None
) -> Decimal:
    """Release ``amount`` (or, if None, all) of a requisition's live commitment back to its budget line.

    The requisition, its commitment and its budget line are locked in that
    order; the line's committed total falls by exactly what the commitment
    loses, so it always equals the sum of live commitments. Returns the
    amount released. Raises ProcurementError when nothing is committed or no
    reason is given.
    """
    if not reason.strip():
        raise ProcurementError(_("Tuliskan alasan melepas anggaran."))
    with transaction.atomic():
        requisition = _locked(requisition)
        commitment = locks.commitment_lock(
            BudgetCommitment.objects.filter(requisition=requisition, status=CommitmentStatus.LIVE)
        )
        if commitment is None:
            raise ProcurementError(
                _("Tidak ada anggaran terikat untuk permintaan %(ref)s.") % {"ref": requisition.reference}
            )
        released, before, after = _commitment_reduce(commitment=commitment, amount=amount)
        audit_record(
            actor=actor,
            action="budget.release",
            obj=commitment,
            before=before,
            after=after | {"reason": reason.strip()},
            ip=ip,
            requisition=requisition,
        )
    return released


BUDGET_IMPORT_PROGRESS_EVERY = 100  # rows between two progress reports of a budget import job


@dataclass
class ImportResult:
    """What a budget CSV import did, or every problem that stopped it (then nothing was applied)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


BUDGET_LINE_EDITABLE = ("description", "funding_source", "ceiling")


def _budget_line_values(line: BudgetLine) -> dict:
    return {
        "agency": line.agency_id,
        "fiscal_year": line.fiscal_year,
        "sub_activity": line.sub_activity,
        "account_code": line.account_code,
        "description": line.description,
        "funding_source": line.funding_source,
        "ceiling": line.ceiling,
    }


def budget_line_update(*, line: BudgetLine, actor, changes: dict, ip: str | None = None) -> BudgetLine:
    """Change a budget line's description, funding source or ceiling, under a row lock.

    The ceiling must stay a whole, non-negative number of rupiah that covers
    what the line has already committed and realised (read under the lock, so
    an approval committing at the same moment is counted). Raises
    BudgetLineRefused for a ceiling below that, ValueError for any other field.
    Nothing changed records nothing.
    """
    unknown = set(changes) - set(BUDGET_LINE_EDITABLE)
    if unknown:
        raise ValueError(f"budget_line_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        locked = locks.budget_line_lock(budget_line_id=line.pk)
        new = {name: value for name, value in changes.items() if getattr(locked, name) != value}
        if "ceiling" in new:
            ceiling = Decimal(new["ceiling"])
            if ceiling != ceiling.to_integral_value() or ceiling < 0:
                raise BudgetLineRefused(_("Pagu harus rupiah bulat dan tidak negatif."))
            spent = locked.committed + locked.realised
            if ceiling < spent:
                raise BudgetLineRefused(
                    _(
                        "Pagu %(ceiling)s lebih kecil dari yang sudah terikat dan terealisasi (%(spent)s). "
                        "Pagu paling kecil %(spent)s."
                    )
                    % {"ceiling": rupiah_format(ceiling), "spent": rupiah_format(spent)}
                )
            new["ceiling"] = ceiling
        if new:
            before = {name: getattr(locked, name) for name in new}
            for name, value in new.items():
                setattr(locked, name, value)
            locked.save(update_fields=[*new, "date_updated"])
            audit_record(
                actor=actor, action="budget_line.update", obj=locked, ip=ip, before=before, after=new
            )
    return locked


def budget_lines_import(
    *,
    agency: Agency,
    fiscal_year: int,
    file,
    actor,
    ip: str | None = None,
    file_name: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Create or update an agency's budget lines of one fiscal year from a SIPD-style CSV.

    All or nothing: if any row is bad (procurement.budget_csv checks the file;
    here a new pagu below what an existing line has committed and realised is
    refused) the result lists every problem by line number and nothing is
    applied. Rows are matched to lines on sub-activity and kode rekening;
    lines not in the file are left as they are. The agency row and then its
    lines of the year are locked in primary-key order, so imports and
    approvals touching the same lines wait for each other. ``file`` is bytes
    or a file object; ``progress``, if given, is told how many rows are done.
    """
    content = file if isinstance(file, bytes) else file.read(budget_csv.MAX_BYTES + 1)
    rows, errors = budget_csv.budget_csv_parse(content)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()
    with transaction.atomic():
        locks.agency_lock(agency_id=agency.pk)
        lines = locks.budget_lines_lock(BudgetLine.objects.filter(agency=agency, fiscal_year=fiscal_year))
        existing = {(line.sub_activity, line.account_code): line for line in lines}
        for row in rows:
            line = existing.get(row.key)
            if line is not None and row.ceiling < line.committed + line.realised:
                result.errors.append(
                    (
                        row.line,
                        _(
                            "Pagu %(ceiling)s lebih kecil dari yang sudah terikat dan terealisasi pada baris "
                            "anggaran ini (%(spent)s)."
                        )
                        % {
                            "ceiling": rupiah_format(row.ceiling),
                            "spent": rupiah_format(line.committed + line.realised),
                        },
                    )
                )
        if result.errors:
            return result
        for done, row in enumerate(rows):
            if progress and done % BUDGET_IMPORT_PROGRESS_EVERY == 0:
                progress(done)
            values = {
                "description": row.description,
                "funding_source": row.funding_source,
                "ceiling": row.ceiling,
            }
            line = existing.get(row.key)
            if line is None:
                line = BudgetLine.objects.create(
                    agency=agency,
                    fiscal_year=fiscal_year,
                    sub_activity=row.sub_activity,
                    account_code=row.account_code,
                    **values,
                )
                audit_record(
                    actor=actor, action="budget_line.create", obj=line, ip=ip, after=_budget_line_values(line)
                )
                result.created += 1
                continue
            new = {name: value for name, value in values.items() if getattr(line, name) != value}
            if not new:
                result.unchanged += 1
                continue
            before = {name: getattr(line, name) for name in new}
            for name, value in new.items():
                setattr(line, name, value)
            line.save(update_fields=[*new, "date_updated"])
            audit_record(actor=actor, action="budget_line.update", obj=line, ip=ip, before=before, after=new)
            result.updated += 1
        audit_record(
            actor=actor,
            action="budget_lines.import",
            obj=agency,
            ip=ip,
            after={
                "fiscal_year": fiscal_year,
                "file": file_name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def budget_lines_import_start(
    *, agency: Agency, fiscal_year: int, file, actor, ip: str | None = None, file_name: str = ""
) -> ImportResult | ImportJob:
    """Import a budget CSV now, or, when it has more than PEKEN_CSV_BACKGROUND_ROWS rows, in a worker.

    The file is checked first (procurement.budget_csv): a bad file comes
    back as an ImportResult listing its problems, nothing applied. A good
    small file is applied at once by budget_lines_import. A good big one
    becomes an ImportJob recording who started it; the worker applies it
    with budget_lines_import, and the job keeps the counts or the problems.
    """
    content = file if isinstance(file, bytes) else file.read(budget_csv.MAX_BYTES + 1)
    rows, errors = budget_csv.budget_csv_parse(content)
    if errors:
        return ImportResult(errors=errors)
    if len(rows) <= settings.PEKEN_CSV_BACKGROUND_ROWS:
        return budget_lines_import(
            agency=agency, fiscal_year=fiscal_year, file=content, actor=actor, ip=ip, file_name=file_name
        )
    return import_job_start(
        kind=ImportKind.BUDGET_CSV,
        owner=agency,
        actor=actor,
        file_name=file_name,
        content=content,
        rows_total=len(rows),
        params={"fiscal_year": fiscal_year, "ip": ip},
    )


def budget_import_job_apply(job: ImportJob, progress: Progress) -> dict:
    """The runner of a budget CSV job (peken.imports): budget_lines_import, its problems the job's."""
    agency = Agency.objects.get(pk=job.owner_id)
    fiscal_year = job.params["fiscal_year"]
    result = budget_lines_import(
        agency=agency,
        fiscal_year=fiscal_year,
        file=bytes(job.content),
        actor=job.actor,
        ip=job.params.get("ip"),
        file_name=job.file_name,
        progress=progress,
    )
    if not result.ok:
        raise ImportJobFailed(result.errors)
    return {
        "fiscal_year": fiscal_year,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
