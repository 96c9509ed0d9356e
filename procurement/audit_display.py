"""How the audit trail reads to people: sentences, field labels, names and one date format.

An entry keeps what its service wrote (action keys, ids, raw values), since that is
what its hash covers; everything here is derived from the entry when it is read,
so the pages and the exports say the same thing, and old entries read as well as new.
"""

import json
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _g
from oscar.core.loading import get_model

from orders.statuses import OrderStatus, Party
from peken.money import rupiah_format
from procurement.audit_labels import (
    _KEY_ORDER,
    ACTIONS,
    DATE_FIELDS,
    DATE_FORMAT,
    DATETIME_FORMAT,
    EXPORT_HEADER,
    FIELD_LABELS,
    MONEY_FIELDS,
    OBJECT_LABELS,
    TIME_ZONE_NAME,
)
from procurement.models import (
    ApprovalStep,
    BudgetCommitment,
    Delegation,
    Membership,
    Requisition,
    RequisitionLine,
    amount_range_label,
)
from procurement.statuses import DECISION_MADE, CommitmentStatus, Decision, RequisitionStatus, Role

Order = get_model("order", "Order")


def when(value) -> str:
    """A moment as every audit page and export shows it: 1 Des 2026 14:03:22 WIB; "—" for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        # a date alone ("2026-12-01") stays a date: Python would read it as midnight
        parsed = None if parse_date(value) else parse_datetime(value)
        if parsed is None:
            return day(value)
        value = parsed
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{dateformat.format(value, DATETIME_FORMAT)} {TIME_ZONE_NAME}"
    return day(value)


def day(value) -> str:
    """A date as every audit page and export shows it: 1 Des 2026; "—" for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return dateformat.format(value, DATE_FORMAT)
    return str(value)


def person(user) -> str:
    if user is None:
        return _g("Sistem")
    return user.get_full_name() or user.email or user.get_username()


def _name(obj) -> str:
    """How one object is named on the trail: a person by name, a requisition by number, and so on."""
    if isinstance(obj, get_user_model()):
        return person(obj)
    if isinstance(obj, Requisition):
        return obj.reference
    if isinstance(obj, Membership):
        return f"{obj.get_role_display()} · {person(obj.user)}"
    if isinstance(obj, Delegation):
        return _g("%(role)s dari %(delegator)s kepada %(delegate)s") % {
            "role": obj.get_role_display(),
            "delegator": person(obj.delegator),
            "delegate": person(obj.delegate),
        }
    if isinstance(obj, BudgetCommitment):
        return obj.requisition.reference
    if isinstance(obj, ApprovalStep):
        return f"{obj.position}. {obj.get_role_display()} ({obj.range_label})"
    if isinstance(obj, Order):
        return obj.number
    if hasattr(obj, "name"):
        return obj.name
    return str(obj)


# what each kind of object needs beside its own row to be named
_RELATED = {Membership: ("user",), Delegation: ("delegator", "delegate"), BudgetCommitment: ("requisition",)}


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _foreign_key(model, key: str):
    field = _field(model, key)
    return field if field is not None and field.many_to_one else None


def _pk(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def related_names(entries) -> dict[tuple, str]:
    """Names of the objects the entries are about and of those their values name by id.

    One query per kind of object, whatever the number of entries.
    """
    wanted: dict = {}
    for entry in entries:
        model = _model(entry.object_type)
        if model is not None and _pk(entry.object_id) is not None:
            wanted.setdefault(model, set()).add(_pk(entry.object_id))
        for values in (entry.before or {}, entry.after or {}):
            for key, value in values.items():
                field = _foreign_key(model, key)
                if field is not None and _pk(value) is not None:
                    wanted.setdefault(field.related_model, set()).add(_pk(value))
                elif key == "lines" and isinstance(value, dict):
                    wanted.setdefault(RequisitionLine, set()).update(
                        pk for pk in map(_pk, value) if pk is not None
                    )
    names = {}
    for model, ids in wanted.items():
        queryset = model._default_manager.select_related(*_RELATED.get(model, ()))
        for pk, obj in queryset.in_bulk(ids).items():
            names[(model, pk)] = obj.title if isinstance(obj, RequisitionLine) else _name(obj)
    return names


def _label(model, key: str) -> str:
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    field = _field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return key.replace("_", " ")


def _choice(choices, value) -> str | None:
    if isinstance(value, str) and value in choices.values:
        return str(choices(value).label)
    return None


def _steps(value) -> str:
    """An approval policy's steps: "1. Pejabat Pengadaan: semua nilai; 2. PPK: di atas Rp200.000.000"."""
    parts = []
    for step in value:
        if not isinstance(step, dict):
            parts.append(str(step))
            continue
        role = _choice(Role, step.get("role")) or str(step.get("role", ""))
        parts.append(
            f"{step.get('position', '')}. {role}: "
            f"{amount_range_label(step.get('min_amount'), step.get('max_amount'))}"
        )
    return "; ".join(parts) or "—"


def shown(model, key: str, value, names: dict) -> str:
    """One value of an entry as people read it: a name, rupiah, a label, one date format."""
    if value is None or value == "":
        return "—"
    field = _foreign_key(model, key)
    if field is not None and _pk(value) is not None:
        return names.get((field.related_model, _pk(value)), f"#{value}")
    if key in MONEY_FIELDS:
        try:
            return rupiah_format(value)
        except (TypeError, ValueError):
            return str(value)
    if (key == "status" and model is Order) or key == "order_status":
        return _choice(OrderStatus, value) or str(value)
    labelled = {
        "status": RequisitionStatus,
        "role": Role,
        "commitment_status": CommitmentStatus,
        "party": Party,
    }.get(key)
    if labelled is not None and _choice(labelled, value):
        return _choice(labelled, value)
    if key == "decision" and isinstance(value, str) and value in Decision.values:
        return str(DECISION_MADE[Decision(value)])
    model_field = _field(model, key)
    if model_field is not None and getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if key in DATE_FIELDS or isinstance(model_field, models.DateField):
        return when(value)
    if isinstance(value, bool):
        return _g("Ya") if value else _g("Tidak")
    if key == "steps" and isinstance(value, list):
        return _steps(value)
    if key == "lines" and isinstance(value, dict):
        unnamed = _g("barang #%(pk)s")  # outside the f-string, where makemessages can find it
        return (
            "; ".join(
                f"{names.get((RequisitionLine, _pk(pk)), unnamed % {'pk': pk})}: "
                f"{' → '.join(str(n) for n in change) if isinstance(change, list) else change}"
                for pk, change in value.items()
            )
            or "—"
        )
    if isinstance(value, list):
        return ", ".join(_compact(item, names) for item in value) or "—"
    if isinstance(value, dict):
        return _compact(value, names)
    return str(value)


def _compact(value, names: dict) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_label(None, k)}: {shown(None, k, v, names)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable_changes(entry, names: dict | None = None) -> list[dict]:
    """The entry's before and after values as rows: label, before, after, and whether it changed."""
    before, after = entry.before or {}, entry.after or {}
    model, names = _model(entry.object_type), names or {}
    rows = []
    # the database keeps JSON keys in its own order; people read status first, as FIELD_LABELS lists them
    keys = sorted(
        [*before, *(k for k in after if k not in before)],
        key=lambda key: _KEY_ORDER.get(key, len(_KEY_ORDER)),
    )
    for key in keys:
        old, new = before.get(key), after.get(key)
        rows.append(
            {
                "label": _label(model, key),
                "before": shown(model, key, old, names) if key in before else "",
                "after": shown(model, key, new, names) if key in after else "",
                "changed": key not in before or key not in after or old != new,
            }
        )
    return rows


def object_name(entry, names: dict) -> str:
    """The name of what the entry is about, even if it has since been deleted (a revoked role)."""
    model = _model(entry.object_type)
    found = names.get((model, _pk(entry.object_id)))
    if found:
        return found
    values = entry.before or entry.after or {}
    if model is Membership and "user" in values:
        role = shown(model, "role", values.get("role"), names)
        return f"{role} · {shown(model, 'user', values['user'], names)}"
    if model is ApprovalStep and "role" in values:
        return (
            f"{values.get('position', '')}. {shown(model, 'role', values['role'], names)} "
            f"({amount_range_label(values.get('min_amount'), values.get('max_amount'))})"
        )
    if "name" in values:
        return str(values["name"])
    return f"#{entry.object_id}"


def _decided(entry, v) -> str:
    after = entry.after or {}
    facts = {"step": after.get("step", "?"), "role": v("role", after.get("role"))}
    decision = entry.action.rsplit(".", 1)[-1]
    if decision == Decision.APPROVE:
        text = _g("Menyetujui langkah %(step)s (%(role)s)") % facts
        if after.get("status") == RequisitionStatus.APPROVED:
            text += "; " + _g("permintaan disetujui, pesanan dikirim ke penjual")
        return text
    if decision == Decision.REJECT:
        return _g("Menolak permintaan di langkah %(step)s (%(role)s)") % facts
    return _g("Mengembalikan permintaan untuk revisi di langkah %(step)s (%(role)s)") % facts


def _fields_changed(entry, model) -> str:
    keys = [*(entry.before or {}), *(k for k in (entry.after or {}) if k not in (entry.before or {}))]
    return ", ".join(_label(model, key).lower() for key in keys)


def _admin(entry, name: str) -> str:
    """A platform admin's save or delete of a simple row (procurement.admin.AuditedAdmin)."""
    label = str(OBJECT_LABELS.get(entry.object_type, _model_label(entry.object_type))).lower()
    verb = entry.action.rsplit(".", 1)[-1]
    text = {
        "add": _g("Menambah %(what)s %(name)s lewat admin platform"),
        "change": _g("Mengubah %(what)s %(name)s lewat admin platform"),
        "delete": _g("Menghapus %(what)s %(name)s lewat admin platform"),
    }[verb]
    return text % {"what": label, "name": name}


def _model_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def _sentence(entry, names: dict, name: str) -> str:
    """What the actor did, as a sentence without its subject: "Menyetujui langkah 1 (Pejabat Pengadaan)"."""
    model = _model(entry.object_type)
    before, after = entry.before or {}, entry.after or {}

    def v(key, value):
        return shown(model, key, value, names)

    action = entry.action
    if action.startswith("requisition.decide."):
        return _decided(entry, v)
    if (
        action.rsplit(".", 1)[-1] in {"add", "change", "delete"}
        and action.count(".") == 1
        and action.split(".")[0] == (model._meta.model_name if model else "")
    ):
        return _admin(entry, name)
    facts = {
        "name": name,
        "total": v("total", after.get("total")),
        "round": after.get("round", ""),
        "fields": _fields_changed(entry, model),
        "released": v("released", after.get("released")),
        "order": after.get("order", ""),
        "days": after.get("days", ""),
        "old": v("status", before.get("status")),
        "new": v("status", after.get("status")),
        "order_status": v("order_status", after.get("order_status")).lower(),
        "role": v("role", after.get("role", before.get("role"))),
        "user": v("user", after.get("user", before.get("user"))),
        "unit": v("unit", after.get("unit")),
        "delegator": v("delegator", after.get("delegator")),
        "delegate": v("delegate", after.get("delegate")),
        "start": day(after.get("start")),
        "end": day(after.get("end")),
        "steps": _steps(after.get("steps") or []),
        "year": after.get("fiscal_year", ""),
        "file": after.get("file") or _g("berkas tanpa nama"),
        "created": after.get("created", 0),
        "updated": after.get("updated", 0),
        "unchanged": after.get("unchanged", 0),
        "unit_name": after.get("name", name),
    }
    sentences = {
        "requisition.submit": _g("Mengajukan permintaan %(name)s senilai %(total)s"),
        "requisition.revise": _g("Merevisi permintaan: %(fields)s"),
        "requisition.resubmit": _g("Mengajukan ulang permintaan (putaran %(round)s) senilai %(total)s"),
        "requisition.cancel": _g("Membatalkan permintaan"),
        "requisition.expire": _g("Permintaan kedaluwarsa: %(days)s hari tanpa keputusan, anggaran dilepas"),
        "budget.release": _g("Melepas %(released)s anggaran terikat permintaan %(name)s"),
        "budget.release.order": _g(
            "Melepas %(released)s anggaran terikat: pesanan %(order)s %(order_status)s"
        ),
        "order.status": _g("Mengubah status pesanan %(name)s dari “%(old)s” menjadi “%(new)s”"),
        "agency.create": _g("Membuat OPD %(name)s"),
        "approval_policy.default": _g("Memasang alur persetujuan bawaan untuk %(name)s: %(steps)s"),
        "budget_line.create": _g("Membuat baris anggaran %(name)s"),
        "budget_line.update": _g("Mengubah baris anggaran %(name)s: %(fields)s"),
        "budget_lines.import": _g(
            "Mengimpor anggaran %(year)s dari %(file)s: %(created)s baris baru, "
            "%(updated)s diubah, %(unchanged)s tetap"
        ),
        "delegation.create": _g(
            "Mendelegasikan peran %(role)s dari %(delegator)s kepada %(delegate)s, %(start)s sampai %(end)s"
        ),
        "delegation.revoke": _g("Mencabut delegasi %(name)s"),
        "membership.grant": _g("Memberi peran %(role)s kepada %(user)s"),
        "membership.revoke": _g("Mencabut peran %(role)s dari %(user)s"),
        "membership.unit": _g("Memindahkan pemegang peran %(name)s ke unit %(unit)s"),
        "unit.create": _g("Membuat unit %(unit_name)s"),
    }
    if action in sentences:
        return sentences[action] % facts
    return f"{ACTIONS.get(action, action)}: {OBJECT_LABELS.get(entry.object_type, entry.object_type)} {name}"


def annotate_entries(entries, broken: set[int]) -> None:
    """Give each entry what the pages and exports show: sentence, object name, readable changes, fit.

    Sets ``label`` (the sentence), ``object_label``, ``object_name``, ``changes``
    and ``broken``.
    """
    names = related_names(entries)
    for entry in entries:
        entry.object_label = str(OBJECT_LABELS.get(entry.object_type, _model_label(entry.object_type)))
        entry.object_name = object_name(entry, names)
        entry.label = _sentence(entry, names, entry.object_name)
        entry.changes = readable_changes(entry, names)
        entry.broken = entry.seq in broken


def _changes_text(changes: list[dict]) -> str:
    parts = []
    for change in changes:
        if change["before"] and change["after"] and change["changed"]:
            parts.append(f"{change['label']}: {change['before']} → {change['after']}")
        else:
            parts.append(f"{change['label']}: {change['after'] or change['before']}")
    return "; ".join(parts)


def export_row(entry) -> list:
    """One annotated entry as a row under EXPORT_HEADER."""
    return [
        entry.seq,
        when(entry.date_created),
        entry.label,
        person(entry.actor),
        person(entry.acting_for) if entry.acting_for_id else "",
        entry.ip or "",
        entry.object_label,
        entry.object_name,
        entry.requisition.reference if entry.requisition_id else "",
        _changes_text(entry.changes),
        _g("TIDAK COCOK") if entry.broken else _g("cocok"),
        entry.action,
        entry.hash,
    ]


def export_header() -> list[str]:
    return [str(label) for label in EXPORT_HEADER]
