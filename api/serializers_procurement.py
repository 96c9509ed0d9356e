"""What the procurement endpoints read and show: requisitions, approvals, budget lines, receipts, payments.

Input serializers only parse; the rules are procurement.services', whose refusals answer 409.
People are shown by name only: an official's email address is not the API's to hand out.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import RupiahField
from peken import limits
from procurement import selectors
from procurement.forms_fulfilment import MAX_QUANTITY
from procurement.forms_treasury import RECORDED_METHODS
from procurement.statuses import DECISION_MADE, Decision, RequisitionStatus, Role

NOTE_MAX = limits.MAX_NOTE


def person_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return person_name(user)


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()


class BudgetLineBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    fiscal_year = serializers.IntegerField()
    sub_activity = serializers.CharField()
    account_code = serializers.CharField()
    description = serializers.CharField()


class WaitingAtSerializer(serializers.Serializer):
    """The step a submitted requisition waits at."""

    position = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField()


class RequisitionSerializer(serializers.Serializer):
    """A requisition as the requester's list shows it."""

    reference = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    agency = AgencySerializer()
    unit = serializers.CharField(source="unit.name", allow_null=True, default=None)
    budget_line = BudgetLineBriefSerializer()
    kode_rup = serializers.CharField()
    purpose = serializers.CharField()
    total = RupiahField()
    round = serializers.IntegerField(help_text="each submission is a round; decisions belong to one")
    needed_by = serializers.DateField()
    date_created = serializers.DateTimeField()
    date_submitted = serializers.DateTimeField(allow_null=True)
    date_decided = serializers.DateTimeField(allow_null=True)
    waiting_at = serializers.SerializerMethodField()

    @extend_schema_field(WaitingAtSerializer(allow_null=True))
    def get_waiting_at(self, requisition) -> dict | None:
        position = getattr(requisition, "current_position", None)
        role = getattr(requisition, "current_role", None)
        if requisition.status != RequisitionStatus.SUBMITTED or position is None:
            return None
        return {"position": position, "role": role, "role_label": str(Role(role).label)}


class InboxRequisitionSerializer(RequisitionSerializer):
    """A requisition waiting in an approver's inbox, with who asked for it."""

    requester = PersonSerializer()


class RequisitionLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    seller = serializers.SerializerMethodField()
    stockrecord_id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    partner_sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = RupiahField(help_text="frozen at submission")
    total = RupiahField(source="line_total")

    @extend_schema_field(AgencySerializer)
    def get_seller(self, line) -> dict:
        return {"id": line.seller.pk, "code": line.seller.code, "name": line.seller.name}


class DecisionSerializer(serializers.Serializer):
    """One approver's decision on one step of one round."""

    round = serializers.IntegerField()
    position = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    decision = serializers.ChoiceField(choices=Decision.choices)
    decision_label = serializers.SerializerMethodField()
    actor = PersonSerializer()
    acting_for = PersonSerializer(allow_null=True, help_text="the delegator, when decided by a delegate")
    comment = serializers.CharField()
    date_created = serializers.DateTimeField()

    def get_decision_label(self, decision) -> str:
        return str(DECISION_MADE[decision.decision])


class StepSerializer(serializers.Serializer):
    """A step the requisition needs, and its decision in the current round (null: not decided yet)."""

    position = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField()
    current = serializers.BooleanField(help_text="the step waiting for a decision now")
    decision = DecisionSerializer(allow_null=True)


class OrderBriefSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    seller = serializers.CharField(source="seller.name", allow_null=True, default=None)
    total = serializers.DecimalField(source="total_incl_tax", max_digits=12, decimal_places=2)


class RequisitionDetailSerializer(RequisitionSerializer):
    """One requisition with its lines, approval steps, decisions of every round, and seller orders."""

    requester = PersonSerializer()
    delivery_address = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    lines = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()

    @extend_schema_field(RequisitionLineSerializer(many=True))
    def get_lines(self, requisition) -> list:
        lines = requisition.lines.select_related("seller").order_by("seller", "pk")
        return RequisitionLineSerializer(lines, many=True).data

    def _decisions(self, requisition) -> list:
        if not hasattr(requisition, "_api_decisions"):
            requisition._api_decisions = list(
                requisition.decisions.select_related("actor", "acting_for").order_by(
                    "round", "position", "pk"
                )
            )
        return requisition._api_decisions

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, requisition) -> list:
        decisions = self._decisions(requisition)
        steps = selectors.requisition_steps(requisition=requisition)
        current = selectors.requisition_current_step(
            requisition=requisition, steps=steps, decisions=decisions
        )
        this_round = {d.position: d for d in decisions if d.round == requisition.round}
        rows = [
            {
                "position": step.position,
                "role": step.role,
                "role_label": str(Role(step.role).label),
                "current": current is not None and current.pk == step.pk,
                "decision": this_round.get(step.position),
            }
            for step in steps
        ]
        return StepSerializer(rows, many=True).data

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, requisition) -> list:
        return DecisionSerializer(self._decisions(requisition), many=True).data

    @extend_schema_field(OrderBriefSerializer(many=True))
    def get_orders(self, requisition) -> list:
        return OrderBriefSerializer(self.context.get("orders", []), many=True).data


class OfferLineSerializer(serializers.Serializer):
    stockrecord_id = serializers.IntegerField(
        min_value=1, help_text="an offer's id, as the catalogue gives it"
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class RequisitionDetailsInputSerializer(serializers.Serializer):
    """What the requester says about a purchase: which budget line, why, where, when, whom to call."""

    budget_line = serializers.IntegerField(min_value=1, help_text="a budget line of the agency, this year")
    kode_rup = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    purpose = serializers.CharField(max_length=NOTE_MAX)
    delivery_address = serializers.CharField(max_length=limits.MAX_ADDRESS)
    needed_by = serializers.DateField()
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=32, help_text="Indonesian, e.g. 0812 3456 7890")


class RequisitionSubmitSerializer(RequisitionDetailsInputSerializer):
    agency = serializers.IntegerField(
        min_value=1, help_text="the agency bought for: one where the person is a requester"
    )
    unit = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    lines = OfferLineSerializer(many=True, allow_empty=False, max_length=200)


class QuantityChangeSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, help_text="a line id of this requisition")
    quantity = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY, help_text="0 drops the line")


class RequisitionReviseSerializer(serializers.Serializer):
    """Changes to a returned requisition; fields left out stay as they are."""

    budget_line = serializers.IntegerField(min_value=1, required=False)
    kode_rup = serializers.CharField(max_length=32, required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=NOTE_MAX, required=False)
    delivery_address = serializers.CharField(max_length=limits.MAX_ADDRESS, required=False)
    needed_by = serializers.DateField(required=False)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    quantities = QuantityChangeSerializer(many=True, required=False, max_length=200)
    resubmit = serializers.BooleanField(
        default=True, help_text="send it back for approval at today's prices (as the page does)"
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=NOTE_MAX)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(
        max_length=NOTE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="needed to reject or return",
    )

    def validate(self, data: dict) -> dict:
        # as the decision form: the requester must learn what to fix (the service refuses it too)
        if data["decision"] != Decision.APPROVE and not data["comment"].strip():
            raise serializers.ValidationError(
                {"comment": [_("Tuliskan alasannya agar pemohon tahu apa yang harus diperbaiki.")]}
            )
        return data


class BudgetLineSerializer(BudgetLineBriefSerializer):
    funding_source = serializers.CharField()
    ceiling = RupiahField()
    committed = RupiahField()
    realised = RupiahField()
    available = RupiahField()


class BudgetQuerySerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="default: this year"
    )


class BudgetImportSerializer(serializers.Serializer):
    """A SIPD-style CSV of budget lines (the page's template), for one fiscal year."""

    file = serializers.FileField(max_length=255, help_text="CSV, UTF-8, ';' or ',' separated; at most 2 MB")
    fiscal_year = serializers.IntegerField(help_text="a year the agency has lines for, or next year")

    def __init__(self, *args, years: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(years)

    def validate_fiscal_year(self, year: int) -> int:
        if year not in self.years:
            message = serializers.ChoiceField.default_error_messages["invalid_choice"]
            raise serializers.ValidationError(str(message).format(input=year))
        return year


class BudgetImportResultSerializer(serializers.Serializer):
    """A small file, applied at once: how many lines it made, changed and left as they were."""

    fiscal_year = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="the file's line; 0 is the file as a whole")
    message = serializers.CharField()


class ImportJobSerializer(serializers.Serializer):
    """A big file applied by a worker: where it stands, and at the end its counts or its problems."""

    id = serializers.IntegerField(source="pk")
    file_name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    finished = serializers.BooleanField()
    result = BudgetImportResultSerializer(allow_null=True)
    errors = ImportProblemSerializer(many=True)
    errors_total = serializers.IntegerField()
    url = serializers.CharField(help_text="this job's status route")


class ReceiptLineSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(source="order_line_id")
    title = serializers.CharField(source="order_line.title")
    quantity_received = serializers.IntegerField()
    quantity_accepted = serializers.IntegerField()
    quantity_rejected = serializers.IntegerField()
    rejection_reason = serializers.CharField()


class ReceiptSerializer(serializers.Serializer):
    """One handover (BAST) of an official order."""

    seq = serializers.IntegerField(help_text="BAST 1, 2, … of this order")
    order = serializers.CharField(source="order.number")
    received_on = serializers.DateField()
    received_by = PersonSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    note = serializers.CharField()
    date_created = serializers.DateTimeField()
    lines = ReceiptLineSerializer(many=True)


class OrderLineProgressSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(source="line.pk")
    title = serializers.CharField(source="line.title")
    quantity = serializers.IntegerField(source="line.quantity")
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    outstanding = serializers.IntegerField(help_text="still awaited")


class OrderReceiptsSerializer(serializers.Serializer):
    """An official order's lines with what arrived, and its handovers."""

    number = serializers.CharField()
    status = serializers.CharField()
    requisition = serializers.CharField()
    receivable = serializers.BooleanField(help_text="sent by its seller, so a delivery can be recorded")
    may_record = serializers.BooleanField(help_text="this person may record a delivery")
    lines = OrderLineProgressSerializer(many=True)
    receipts = ReceiptSerializer(many=True)


class ReceivedLineInputSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    received = serializers.IntegerField(min_value=0, max_value=MAX_QUANTITY)
    accepted = serializers.IntegerField(
        min_value=0,
        max_value=MAX_QUANTITY,
        required=False,
        allow_null=True,
        default=None,
        help_text="default: all that came",
    )
    reason = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class ReceiptRecordSerializer(serializers.Serializer):
    """One delivery: the day it came and, per order line, how many came and were accepted."""

    received_on = serializers.DateField()
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    lines = ReceivedLineInputSerializer(many=True, allow_empty=False, max_length=500)


class ReceiptInboxSerializer(OrderBriefSerializer):
    requisition = serializers.CharField(source="checkout_reference")


class WithholdingSerializer(serializers.Serializer):
    tax = serializers.CharField()
    object_code = serializers.CharField()
    base = RupiahField()
    rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    amount = RupiahField()


class PaymentSerializer(serializers.Serializer):
    """The treasurer's payment of one official order: the accepted goods, their taxes, the net paid."""

    id = serializers.IntegerField(source="pk")
    order = serializers.CharField(source="order.number")
    requisition = serializers.CharField(source="requisition.reference")
    agency = serializers.CharField(source="requisition.agency.code")
    seller = serializers.CharField(source="order.seller.name", allow_null=True, default=None)
    method = serializers.CharField()
    method_label = serializers.CharField(source="get_method_display")
    status = serializers.CharField()
    price = RupiahField()
    ppn = RupiahField()
    pbjt = RupiahField()
    gross = RupiahField(help_text="what the budget line realises")
    withheld = RupiahField()
    net = RupiahField(help_text="paid to the seller")
    contract_document = serializers.CharField()
    paid_on = serializers.DateField()
    bank_reference = serializers.CharField()
    sp2d_number = serializers.CharField()
    sp2d_date = serializers.DateField(allow_null=True)
    treasurer = PersonSerializer()
    withholdings = WithholdingSerializer(many=True, source="withholdings.all")


class OrderPaymentSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    requisition = serializers.CharField()
    payment = PaymentSerializer(allow_null=True, help_text="null while the order is not paid")


class PaymentRecordSerializer(serializers.Serializer):
    """A payment made outside Peken: UP/GU by transfer or cash, or LS through the city treasury."""

    method = serializers.ChoiceField(choices=RECORDED_METHODS, help_text="KKPD (card) is paid on the page")
    paid_on = serializers.DateField()
    bank_reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    sp2d_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    sp2d_date = serializers.DateField(required=False, allow_null=True, default=None)


class PaymentQuerySerializer(serializers.Serializer):
    agency = serializers.SlugField(required=False, help_text="an agency code the person reads")
