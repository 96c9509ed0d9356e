"""The API's official buying: requisitions, approvals, budget lines, receipts (BAST) and payments.

Each endpoint asks the same selectors as its page (procurement/views_*.py) who may see or do
what, and calls the same service; a service's refusal answers 409 (api/errors.py REFUSALS).

Who, route by route (tests/api_access_procurement.py walks them all):
- requisitions (list, submit): everyone signed in lists their own; submitting for an agency
  needs its requester role (403 otherwise, as the mode switch);
- one requisition: its requester and the approvers (or active delegates) of its agency, others
  404; revise and cancel: its requester only (others 404);
- inbox: what the person may decide now; a decision: the approvers of its agency (others 404),
  the service then refuses a step that is not theirs (segregation of duties, delegation: 409);
- budget lines: the agency's admin, PA/KPA and treasurer (others 403); import and its job: the
  agency's admin;
- an order's receipts: its receipt readers, recorded by the agency's PPK or penerima barang
  (readers who post: 403, others 404);
- payments: the treasury readers (treasurers, PA/KPA, admins, auditors); recording one: the
  agency's treasurer (readers who post: 404, as the page).
"""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from oscar.core.loading import get_model
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.relations import PrimaryKeyRelatedField
from rest_framework.response import Response

from api.models import Scope
from api.serializers_procurement import (
    BudgetImportResultSerializer,
    BudgetImportSerializer,
    BudgetLineSerializer,
    BudgetQuerySerializer,
    CancelSerializer,
    DecideSerializer,
    ImportJobSerializer,
    InboxRequisitionSerializer,
    OrderPaymentSerializer,
    OrderReceiptsSerializer,
    PaymentQuerySerializer,
    PaymentRecordSerializer,
    PaymentSerializer,
    ReceiptInboxSerializer,
    ReceiptRecordSerializer,
    ReceiptSerializer,
    RequisitionDetailSerializer,
    RequisitionReviseSerializer,
    RequisitionSerializer,
    RequisitionSubmitSerializer,
)
from peken.csv_upload import ERRORS_SHOWN
from peken.imports import import_job_progress, import_jobs_of
from peken.models import ImportJob, ImportKind
from procurement import selectors, selectors_treasury, services
from procurement import selectors_fulfilment as fulfilment
from procurement.authority import with_current_step
from procurement.models import Agency, BudgetLine, Requisition, Unit
from procurement.statuses import Role
from procurement.views_buying import client_ip

Order = get_model("order", "Order")
TAGS = ["procurement"]


def _not_there(field: str, pk) -> ValidationError:
    """A field naming an object that is not among those the person may use (DRF's own message)."""
    message = PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    return ValidationError({field: [str(message).format(pk_value=pk)]})


def _budget_line_of(agency: Agency, pk: int | None) -> BudgetLine | None:
    """The agency's budget line ``pk`` (None when not asked); another agency's is bad input."""
    if pk is None:
        return None
    line = BudgetLine.objects.filter(pk=pk, agency=agency).first()
    if line is None:
        raise _not_there("budget_line", pk)
    return line


def requisition_shown(requisition: Requisition, *, status_code=status.HTTP_200_OK) -> Response:
    """A requisition as its detail endpoint answers it (current step and seller orders read fresh)."""
    requisition = (
        with_current_step(Requisition.objects.filter(pk=requisition.pk))
        .select_related("agency", "budget_line", "unit", "requester")
        .get()
    )
    orders = []
    if requisition.checkout_reference:
        orders = list(
            Order.objects.filter(checkout_reference=requisition.checkout_reference, user__isnull=True)
            .select_related("seller")
            .order_by("number")
        )
    body = RequisitionDetailSerializer(requisition, context={"orders": orders}).data
    return Response(body, status=status_code)


class ProcurementMixin:
    required_scope = Scope.PROCUREMENT


# --- the requester's requisitions ---


@extend_schema(tags=TAGS)
class RequisitionListView(ProcurementMixin, generics.ListAPIView):
    """The person's own requisitions, newest first, with the step each one waits at."""

    serializer_class = RequisitionSerializer

    def get_queryset(self):
        return selectors.requester_requisitions(user=self.request.user)

    @extend_schema(request=RequisitionSubmitSerializer, responses={201: RequisitionDetailSerializer})
    def post(self, request):
        """Submit a purchase for an agency: offer lines in, a requisition waiting for approval out.

        An API client has no site basket (nor the pages' "Belanja dinas" mode in a session), so the
        body names the agency, which must be one where the person is a requester (403 otherwise, as
        the mode switch), and the offers ({stockrecord_id, quantity}, as the catalogue lists them).
        They go into a new official basket through the site's basket code and are submitted by the
        same service as the page (requisition_submit_from_basket): budget line of the agency and this
        year with the money available, each seller within the official cap, an approval policy for
        the total. A refusal answers 409 and leaves no basket behind.
        """
        body = RequisitionSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["agency"] not in selectors.requester_agencies(user=request.user):
            raise PermissionDenied(_("Anda bukan pemohon di OPD ini."))
        agency = Agency.objects.get(pk=data["agency"])
        unit = None
        if data["unit"] is not None:
            unit = Unit.objects.filter(pk=data["unit"], agency=agency).first()
            if unit is None:
                raise _not_there("unit", data["unit"])
        requisition = services.requisition_submit_from_lines(
            user=request.user,
            agency=agency,
            lines=[(line["stockrecord_id"], line["quantity"]) for line in data["lines"]],
            budget_line=_budget_line_of(agency, data["budget_line"]),
            kode_rup=data["kode_rup"],
            purpose=data["purpose"],
            delivery_address=data["delivery_address"],
            needed_by=data["needed_by"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            unit=unit,
            ip=client_ip(request),
        )
        return requisition_shown(requisition, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, responses=RequisitionDetailSerializer)
class RequisitionDetailView(ProcurementMixin, generics.GenericAPIView):
    """One requisition: lines per seller, its approval steps and every decision, its seller orders.

    For its requester and the approvers (or active delegates) of its agency; anyone else 404.
    """

    serializer_class = RequisitionDetailSerializer

    def get(self, request, reference: str):
        requisition = Requisition.objects.filter(reference=reference).first()
        if requisition is None or not selectors.requisition_readable(
            user=request.user, requisition=requisition
        ):
            raise NotFound()
        return requisition_shown(requisition)


def _own_requisition(request, reference: str) -> Requisition:
    requisition = selectors.requisition_of_requester(user=request.user, reference=reference)
    if requisition is None:
        raise NotFound()
    return requisition


@extend_schema(tags=TAGS, request=RequisitionReviseSerializer, responses=RequisitionDetailSerializer)
class RequisitionReviseView(ProcurementMixin, generics.GenericAPIView):
    """Revise a returned requisition and (by default) send it back for approval, as the revise page.

    Its requester only (others 404). Fields left out stay as they are; ``quantities`` change lines
    (0 drops one). Then, unless ``resubmit`` is false, it is resubmitted as a new round at today's
    prices (budget and seller cap checked again). Not returned, or refused: 409.
    """

    serializer_class = RequisitionReviseSerializer

    def post(self, request, reference: str):
        requisition = _own_requisition(request, reference)
        body = RequisitionReviseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data, ip = body.validated_data, client_ip(request)
        quantities = {change["line"]: change["quantity"] for change in data.get("quantities", [])}
        unknown = set(quantities) - set(requisition.lines.values_list("pk", flat=True))
        if unknown:
            raise _not_there("quantities", min(unknown))
        services.requisition_revise(
            requisition=requisition,
            user=request.user,
            purpose=data.get("purpose"),
            kode_rup=data.get("kode_rup"),
            delivery_address=data.get("delivery_address"),
            needed_by=data.get("needed_by"),
            budget_line=_budget_line_of(requisition.agency, data.get("budget_line")),
            contact_name=data.get("contact_name"),
            contact_phone=data.get("contact_phone"),
            quantities=quantities or None,
            ip=ip,
        )
        if data["resubmit"]:
            services.requisition_resubmit(requisition=requisition, user=request.user, ip=ip)
        return requisition_shown(requisition)


@extend_schema(tags=TAGS, request=CancelSerializer, responses=RequisitionDetailSerializer)
class RequisitionCancelView(ProcurementMixin, generics.GenericAPIView):
    """Withdraw a requisition, with a reason: before approval, or after it while every order is new.

    Its requester only (others 404); the status or a seller's progress refusing it: 409.
    """

    serializer_class = CancelSerializer

    def post(self, request, reference: str):
        requisition = _own_requisition(request, reference)
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.requisition_cancel(
            requisition=requisition,
            user=request.user,
            reason=body.validated_data["reason"],
            ip=client_ip(request),
        )
        return requisition_shown(requisition)


# --- the approver's inbox and decisions ---


@extend_schema(tags=TAGS)
class InboxView(ProcurementMixin, generics.ListAPIView):
    """Requisitions whose current step the person may decide now, in their name or as a delegate.

    The rule is procurement.authority's, the one the decision asks: nothing shows here that the
    decision would refuse. Oldest first.
    """

    serializer_class = InboxRequisitionSerializer

    def get_queryset(self):
        return selectors.approver_inbox(user=self.request.user)


@extend_schema(tags=TAGS, request=DecideSerializer, responses=RequisitionDetailSerializer)
class DecisionView(ProcurementMixin, generics.GenericAPIView):
    """Approve, return or reject the requisition's current step, with a comment (needed but to approve).

    For the approvers (and active delegates) of its agency, others 404. Whether this person may
    decide this step (role, delegation, segregation of duties) and whether the budget still holds
    at the final approval are the service's (requisition_decide): a refusal answers 409. The final
    approval places the seller orders. Answers the requisition as it now stands.
    """

    serializer_class = DecideSerializer

    def post(self, request, reference: str):
        requisition = selectors.requisition_of_approver(user=request.user, reference=reference)
        if requisition is None:
            raise NotFound()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.requisition_decide(
            requisition=requisition,
            user=request.user,
            decision=body.validated_data["decision"],
            comment=body.validated_data["comment"],
            ip=client_ip(request),
        )
        return requisition_shown(requisition)


# --- an agency's budget lines ---


def agency_for(request, code: str, *, allowed: frozenset) -> Agency:
    """The agency ``code`` (404) if the person holds one of ``allowed`` in it (403), as its admin pages."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise NotFound()
    if selectors.agency_roles_allowed(user=request.user, agency=agency, allowed=allowed) is None:
        raise PermissionDenied(_("Halaman ini hanya untuk admin OPD %(agency)s.") % {"agency": agency.name})
    return agency


ADMINS = frozenset({Role.AGENCY_ADMIN})


@extend_schema(tags=TAGS, parameters=[BudgetQuerySerializer])
class BudgetLineListView(ProcurementMixin, generics.ListAPIView):
    """The agency's budget lines of one fiscal year: ceiling, committed, realised and available.

    For its admin, PA/KPA and treasurer, as the budget page (others 403).
    """

    serializer_class = BudgetLineSerializer

    def get_queryset(self):
        agency = agency_for(self.request, self.kwargs["code"], allowed=selectors.BUDGET_READERS)
        query = BudgetQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("fiscal_year") or timezone.localdate().year
        return selectors.agency_budget_lines(agency=agency, fiscal_year=year)


def import_job_shown(job: ImportJob, *, code: str) -> dict:
    """A budget import job as its status route answers it."""
    result = job.result if job.result else None
    return ImportJobSerializer(
        {
            "pk": job.pk,
            "file_name": job.file_name,
            **import_job_progress(job=job),
            "result": result,
            "errors": [{"line": line, "message": message} for line, message in job.errors],
            "errors_total": job.errors_total,
            "url": reverse("api:v1:procurement-budget-import-job", kwargs={"code": code, "pk": job.pk}),
        }
    ).data


@extend_schema(
    tags=TAGS,
    request=BudgetImportSerializer,
    responses={
        200: BudgetImportResultSerializer,
        202: OpenApiResponse(ImportJobSerializer, description="a big file: a worker applies it"),
    },
)
class BudgetImportView(ProcurementMixin, generics.GenericAPIView):
    """Import a SIPD-style CSV of budget lines (multipart: ``file`` and ``fiscal_year``), as the page.

    The agency's admin only (others 403). All or nothing: a bad file answers 400 with every
    problem under ``fields.file``, each naming its line ("Baris 3: …"), and nothing is applied. A
    good small file is applied at once (200, the counts); a big one (more than
    PEKEN_CSV_BACKGROUND_ROWS rows) is applied by a worker: 202 with the job and its status route.
    """

    parser_classes = [MultiPartParser]
    serializer_class = BudgetImportSerializer

    def post(self, request, code: str):
        agency = agency_for(request, code, allowed=ADMINS)
        body = BudgetImportSerializer(
            data=request.data, years=selectors.agency_budget_import_years(agency=agency)
        )
        body.is_valid(raise_exception=True)
        upload, year = body.validated_data["file"], body.validated_data["fiscal_year"]
        result = services.budget_lines_import_start(
            agency=agency,
            fiscal_year=year,
            file=upload,
            actor=request.user,
            ip=client_ip(request),
            file_name=upload.name,
        )
        if isinstance(result, ImportJob):
            return Response(import_job_shown(result, code=agency.code), status=status.HTTP_202_ACCEPTED)
        if not result.ok:
            raise ValidationError(
                {
                    "file": [
                        f"{_('Baris %(line)s') % {'line': line}}: {message}" if line else message
                        for line, message in result.errors[:ERRORS_SHOWN]
                    ]
                }
            )
        counts = {
            "fiscal_year": year,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        return Response(BudgetImportResultSerializer(counts).data)


@extend_schema(tags=TAGS, responses=ImportJobSerializer)
class BudgetImportJobView(ProcurementMixin, generics.GenericAPIView):
    """A big budget import: its progress, then what it changed or every problem that stopped it.

    The agency's admin only (others 403); another agency's job is 404.
    """

    serializer_class = ImportJobSerializer

    def get(self, request, code: str, pk: int):
        agency = agency_for(request, code, allowed=ADMINS)
        job = import_jobs_of(owner=agency, kind=ImportKind.BUDGET_CSV).filter(pk=pk).first()
        if job is None:
            raise NotFound()
        return Response(import_job_shown(job, code=agency.code))


# --- receipts (BAST) of official orders ---


@extend_schema(tags=TAGS)
class ReceiptInboxView(ProcurementMixin, generics.ListAPIView):
    """Official orders on their way to the agencies where the person records receipts, oldest first."""

    serializer_class = ReceiptInboxSerializer

    def get_queryset(self):
        return fulfilment.orders_to_receive(user=self.request.user)


def order_receipts_shown(request, order, requisition) -> dict:
    progress = fulfilment.order_progress(order=order)
    receivable = order.status in fulfilment.RECEIVABLE
    refusal = fulfilment.receive_refusal(user=request.user, requisition=requisition)
    return OrderReceiptsSerializer(
        {
            "number": order.number,
            "status": order.status,
            "requisition": requisition.reference,
            "receivable": receivable,
            "may_record": receivable and not refusal,
            "lines": progress,
            "receipts": fulfilment.order_receipts(order=order),
        }
    ).data


@extend_schema(tags=TAGS)
class OrderReceiptsView(ProcurementMixin, generics.GenericAPIView):
    """An official order's lines with what arrived, and its handovers (BAST); record the next one.

    Read by its requester, the agency's PPK, penerima barang, approvers and treasurer, and auditors
    (others 404); recorded by the agency's PPK or penerima barang, never the purchase's requester
    (other readers 403, with who can). The quantities' rules are goods_receipt_record's (409).
    """

    serializer_class = ReceiptRecordSerializer

    def found(self, request, number: str) -> tuple:
        found = fulfilment.official_order_for_reader(user=request.user, number=number)
        if found is None:
            raise NotFound()
        return found

    @extend_schema(responses=OrderReceiptsSerializer)
    def get(self, request, number: str):
        order, requisition = self.found(request, number)
        return Response(order_receipts_shown(request, order, requisition))

    @extend_schema(request=ReceiptRecordSerializer, responses={201: ReceiptSerializer})
    def post(self, request, number: str):
        order, requisition = self.found(request, number)
        refusal = fulfilment.receive_refusal(user=request.user, requisition=requisition)
        if refusal:
            raise PermissionDenied(refusal)
        body = ReceiptRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        lines = {}
        for line in data["lines"]:
            accepted = line["received"] if line["accepted"] is None else line["accepted"]
            lines[line["order_line"]] = services.ReceivedLine(
                received=line["received"], accepted=accepted, reason=line["reason"]
            )
        receipt = services.goods_receipt_record(
            order=order,
            actor=request.user,
            received_on=data["received_on"],
            lines=lines,
            note=data["note"],
            ip=client_ip(request),
        )
        receipt = fulfilment.order_receipts(order=order).get(pk=receipt.pk)
        return Response(ReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)


# --- payments of official orders ---


@extend_schema(tags=TAGS, parameters=[PaymentQuerySerializer])
class PaymentListView(ProcurementMixin, generics.ListAPIView):
    """Official payments of the agencies the person reads, newest first; ``agency`` narrows to one.

    For treasurers, and who reads an agency's payments: its PA/KPA and admin, the city's auditors
    (others 403, as the payments page); an agency they do not read is 404.
    """

    serializer_class = PaymentSerializer

    def get_queryset(self):
        access = selectors_treasury.treasury_access(user=self.request.user)
        if not access.any:
            raise PermissionDenied(
                _("Halaman ini untuk bendahara pengeluaran, PA/KPA, admin OPD, dan auditor.")
            )
        query = PaymentQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        agency_ids = access.agency_ids()
        if query.validated_data.get("agency"):
            agency = Agency.objects.filter(code=query.validated_data["agency"]).first()
            if agency is None or not access.may_read(agency.pk):
                raise NotFound()
            agency_ids = frozenset({agency.pk})
        return selectors_treasury.payments_of(agency_ids=agency_ids).prefetch_related("withholdings")


@extend_schema(tags=TAGS)
class OrderPaymentView(ProcurementMixin, generics.GenericAPIView):
    """An official order's payment (null until paid); the agency's treasurer records one.

    Read by the agency's treasurer, PA/KPA and admin and the auditors (others 404); recorded by its
    treasurer only (the readers' POST is 404, as the page), never the purchase's requester. UP/GU
    (transfer with its bank reference, or cash) or LS (with its SP2D); the card (KKPD) is paid on the
    page. The order must be complete (everything received or closed short); the taxes are the tax
    engine's on the payment date. Refusals (not complete, paid already, before the last BAST): 409.
    """

    serializer_class = PaymentRecordSerializer

    def found(self, request, number: str) -> tuple:
        access = selectors_treasury.treasury_access(user=request.user)
        found = selectors_treasury.official_order_readable(number=number, access=access)
        if found is None:
            raise NotFound()
        return access, *found

    @extend_schema(responses=OrderPaymentSerializer)
    def get(self, request, number: str):
        _access, order, requisition = self.found(request, number)
        body = {
            "number": order.number,
            "status": order.status,
            "requisition": requisition.reference,
            "payment": fulfilment.order_payment(order=order),
        }
        return Response(OrderPaymentSerializer(body).data)

    @extend_schema(request=PaymentRecordSerializer, responses={201: PaymentSerializer})
    def post(self, request, number: str):
        access, order, requisition = self.found(request, number)
        if not access.may_pay(requisition.agency_id):
            raise NotFound()
        body = PaymentRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        payment = services.official_payment_record(
            order=order,
            actor=request.user,
            method=data["method"],
            paid_on=data["paid_on"],
            bank_reference=data["bank_reference"],
            sp2d_number=data["sp2d_number"],
            sp2d_date=data["sp2d_date"],
            ip=client_ip(request),
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


urls = [
    path("procurement/requisitions/", RequisitionListView.as_view(), name="procurement-requisitions"),
    path(
        "procurement/requisitions/<str:reference>/",
        RequisitionDetailView.as_view(),
        name="procurement-requisition",
    ),
    path(
        "procurement/requisitions/<str:reference>/revise/",
        RequisitionReviseView.as_view(),
        name="procurement-requisition-revise",
    ),
    path(
        "procurement/requisitions/<str:reference>/cancel/",
        RequisitionCancelView.as_view(),
        name="procurement-requisition-cancel",
    ),
    path(
        "procurement/requisitions/<str:reference>/decision/",
        DecisionView.as_view(),
        name="procurement-decision",
    ),
    path("procurement/inbox/", InboxView.as_view(), name="procurement-inbox"),
    path(
        "procurement/agencies/<slug:code>/budget-lines/",
        BudgetLineListView.as_view(),
        name="procurement-budget-lines",
    ),
    path(
        "procurement/agencies/<slug:code>/budget-lines/import/",
        BudgetImportView.as_view(),
        name="procurement-budget-import",
    ),
    path(
        "procurement/agencies/<slug:code>/budget-imports/<int:pk>/",
        BudgetImportJobView.as_view(),
        name="procurement-budget-import-job",
    ),
    path("procurement/receipts/", ReceiptInboxView.as_view(), name="procurement-receipts"),
    path(
        "procurement/orders/<str:number>/receipts/",
        OrderReceiptsView.as_view(),
        name="procurement-order-receipts",
    ),
    path("procurement/payments/", PaymentListView.as_view(), name="procurement-payments"),
    path(
        "procurement/orders/<str:number>/payment/",
        OrderPaymentView.as_view(),
        name="procurement-order-payment",
    ),
]
