"""The budget line's identities after any receipt, release or payment (DOMAIN.md, "Money and budget")."""

from django.db.models import Sum

from procurement.models import BudgetCommitment, BudgetLine, OfficialPayment
from procurement.statuses import CommitmentStatus, OfficialPaymentStatus


def assert_budget_identities(line) -> BudgetLine:
    """ceiling = available + committed + realised, available >= 0, committed = live commitments,
    realised = the gross of paid payments; returns the line as stored now."""
    line = BudgetLine.objects.get(pk=line.pk)
    live = BudgetCommitment.objects.filter(budget_line=line, status=CommitmentStatus.LIVE)
    paid = OfficialPayment.objects.filter(requisition__budget_line=line, status=OfficialPaymentStatus.PAID)
    assert line.ceiling == line.available + line.committed + line.realised
    assert line.available >= 0
    assert line.committed == (live.aggregate(s=Sum("amount"))["s"] or 0)
    assert line.realised == (paid.aggregate(s=Sum("gross"))["s"] or 0)
    # a commitment's realised is what its paid orders' gross took from the line
    for commitment in BudgetCommitment.objects.filter(budget_line=line):
        gross = paid.filter(requisition=commitment.requisition_id).aggregate(s=Sum("gross"))["s"] or 0
        assert commitment.realised == gross
    return line
