"""The OCDS 1.1 schemas in opendata/schema/ as validators, their codelists, and the bulk file read back.

The package schemas name the release schema by its URL; the registry answers that URL with the
repository's copy, so nothing is fetched. Formats are checked where the schema names one: a
date-time is RFC 3339 with its zone, a uri is absolute.
"""

import csv
import gzip
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(settings.BASE_DIR) / "opendata" / "schema"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme in ("http", "https") and parts.netloc)


def schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    release = schema("release-schema.json")
    resource = Resource.from_contents(release, default_specification=DRAFT4)
    return Registry().with_resource(release["id"], resource)


@cache
def validator(name: str) -> Draft4Validator:
    """A validator of ``name`` (e.g. "release-package-schema.json") resolving refs to the local copies."""
    return Draft4Validator(schema(name), registry=_registry(), format_checker=FORMATS)


def errors(package: dict, name: str) -> list[str]:
    """Every schema error of ``package``, as "path: message" (empty when it validates)."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator(name).iter_errors(package)
    ]


@cache
def codes(codelist: str) -> frozenset[str]:
    with (SCHEMA_DIR / "codelists" / codelist).open(encoding="utf-8") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


def codelist_errors(release: dict) -> list[str]:
    """Codes of a release outside their OCDS 1.1 codelists (open ones too: we use no code of our own)."""
    found = []

    def check(value, codelist: str, where: str) -> None:
        if value is not None and value not in codes(codelist):
            found.append(f"{where}: {value} not in {codelist}")

    for tag in release["tag"]:
        check(tag, "releaseTag.csv", "tag")
    check(release["initiationType"], "initiationType.csv", "initiationType")
    for party in release.get("parties", []):
        for role in party.get("roles", []):
            check(role, "partyRole.csv", f"parties/{party['id']}")
    tender = release.get("tender", {})
    check(tender.get("status"), "tenderStatus.csv", "tender/status")
    check(tender.get("procurementMethod"), "method.csv", "tender/procurementMethod")
    check(tender.get("mainProcurementCategory"), "procurementCategory.csv", "tender/mainProcurementCategory")
    for category in tender.get("additionalProcurementCategories", []):
        check(category, "procurementCategory.csv", "tender/additionalProcurementCategories")
    for award in release.get("awards", []):
        check(award.get("status"), "awardStatus.csv", "awards/status")
    for contract in release.get("contracts", []):
        check(contract.get("status"), "contractStatus.csv", "contracts/status")
        documents = contract.get("documents", []) + contract.get("implementation", {}).get("documents", [])
        for document in documents:
            check(document.get("documentType"), "documentType.csv", "documents")

    def currencies(value) -> None:
        if isinstance(value, dict):
            if "currency" in value:
                check(value["currency"], "currency.csv", "currency")
            for inner in value.values():
                currencies(inner)
        elif isinstance(value, list):
            for inner in value:
                currencies(inner)

    currencies(release)
    return found


def bulk_releases(content: bytes) -> list[dict]:
    """The releases of a bulk file's bytes (gzip of JSON lines)."""
    return [json.loads(line) for line in gzip.decompress(content).decode("utf-8").splitlines() if line]
