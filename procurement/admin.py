"""Django admin for platform admins (Diskominfo): agencies, units, roles, budget lines, approval steps.

A new agency goes through procurement.services.agency_create, so it gets the
default approval policy and an audit entry. The audit trail is read-only here:
no one adds, changes or deletes an entry.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from peken.admin import ReadOnlyAdminMixin
from peken.money import rupiah_format
from procurement import services
from procurement.audit import audit_record
from procurement.models import Agency, ApprovalStep, AuditEntry, BudgetLine, Membership, Unit
from procurement.statuses import Role


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class AuditedAdmin(admin.ModelAdmin):
    """Records every save and delete of a simple row (unit, approval step) in the audit trail.

    These rows have no rule beyond their constraints, so the admin writes them
    itself, inside one transaction with the entry, rather than through a service.
    """

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = {name: form.initial.get(name) for name in form.changed_data} if change else None
            super().save_model(request, obj, form, change)
            after = (
                {name: model_to_dict(obj).get(name) for name in form.changed_data}
                if change
                else model_to_dict(obj)
            )
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'change' if change else 'add'}",
                obj=obj,
                before=before,
                after=after,
                ip=_ip(request),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.delete",
                obj=obj,
                before=model_to_dict(obj),
                ip=_ip(request),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.order_by("pk"):
            self.delete_model(request, obj)


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("name", "code", "kecamatan", "date_created")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}

    def has_delete_permission(self, request, obj=None):
        # an agency with a trail is never deleted
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.agency_create(
            name=obj.name,
            code=obj.code,
            address=obj.address,
            kecamatan=obj.kecamatan,
            nitku=obj.nitku,
            actor=request.user,
            ip=_ip(request),
        )
        obj.pk = created.pk
        obj.date_created = created.date_created
        obj._state.adding = False


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "agency")
    list_filter = ("agency",)
    search_fields = ("name", "agency__name")


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "agency", "unit", "role")

    def clean(self):
        cleaned = super().clean()
        agency, role, unit = cleaned.get("agency"), cleaned.get("role"), cleaned.get("unit")
        if role == Role.AUDITOR and agency is not None:
            self.add_error("agency", _("Auditor berlaku untuk seluruh kota: kosongkan OPD."))
        if unit is not None and (agency is None or unit.agency_id != agency.pk):
            self.add_error("unit", _("Unit harus bagian dari OPD yang dipilih."))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("user", "role", "agency", "unit", "date_created")
    list_filter = ("role", "agency")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "agency", "unit")
    raw_id_fields = ("user", "unit")

    def has_change_permission(self, request, obj=None):
        # a role is granted or revoked, never edited in place (the trail shows each grant)
        return False

    def save_model(self, request, obj, form, change):
        created = services.membership_grant(
            agency=obj.agency,
            user=obj.user,
            role=obj.role,
            unit=obj.unit,
            actor=request.user,
            ip=_ip(request),
        )
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            services.membership_revoke(membership=obj, actor=request.user, ip=_ip(request))
        except services.MembershipRefused as exc:
            self.message_user(request, str(exc), level=messages.ERROR)

    def delete_queryset(self, request, queryset):
        for obj in queryset.order_by("pk"):
            self.delete_model(request, obj)


class BudgetLineAdminForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ("description", "funding_source", "ceiling")

    def clean_ceiling(self):
        # the service checks again under the row lock; this only spares the admin an error page
        ceiling = self.cleaned_data["ceiling"]
        spent = self.instance.committed + self.instance.realised
        if ceiling is not None and ceiling < spent:
            raise forms.ValidationError(
                _("Pagu paling kecil %(spent)s (sudah terikat dan terealisasi).")
                % {"spent": rupiah_format(spent)}
            )
        return ceiling


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    form = BudgetLineAdminForm
    list_display = (
        "account_code",
        "description",
        "agency",
        "fiscal_year",
        "ceiling",
        "committed",
        "realised",
    )
    list_filter = ("fiscal_year", "agency")
    search_fields = ("account_code", "description", "sub_activity")
    list_select_related = ("agency",)
    # lines come from the agency's CSV import; money held or spent moves only through the services
    fields = (
        "agency",
        "fiscal_year",
        "sub_activity",
        "account_code",
        "description",
        "funding_source",
        "ceiling",
        "committed",
        "realised",
    )
    readonly_fields = ("agency", "fiscal_year", "sub_activity", "account_code", "committed", "realised")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.budget_line_update(line=obj, actor=request.user, changes=changes, ip=_ip(request))


@admin.register(ApprovalStep)
class ApprovalStepAdmin(AuditedAdmin):
    list_display = ("agency", "position", "role", "min_amount", "max_amount")
    list_filter = ("agency", "role")
    list_select_related = ("agency",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("seq", "date_created", "action", "object_type", "object_id", "actor", "acting_for", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("action", "object_id")
    list_select_related = ("actor", "acting_for")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
