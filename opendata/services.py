"""The open data's one write: the bulk file of every published release, rebuilt whole.

The file is JSON lines (one release a line, process by process) compressed with gzip, under
MEDIA_ROOT/opendata/, beside a small JSON note of when it was built and what it holds. Both are
written to a temporary file in the same folder and moved over the old one, so a reader sees the
old file or the new one and never half of one, and a build that fails leaves the old one served.
Building again from the same rows gives the same releases, so a retry or a second build at once
is harmless (the last move wins, with the same content).
"""

import gzip
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from opendata import releases, selectors


@dataclass(frozen=True)
class BulkBuilt:
    built: datetime
    releases: int
    processes: int


def _replace(path: Path, write) -> None:
    """Write ``path`` through a temporary file in its folder, then move it into place at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def bulk_file_build() -> BulkBuilt:
    """Rebuild the bulk file of every published release (opendata.releases) and its note.

    Reads a process at a time, so memory stays flat however many there are. Raises OSError when
    the file cannot be written (the old file is then kept).
    """
    counts = {"releases": 0, "processes": 0}

    def write(out) -> None:
        # mtime=0: the same releases give the same bytes
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as packed:
            for order in selectors.official_orders().select_related("seller").iterator(chunk_size=200):
                counts["processes"] += 1
                for release in releases.order_releases(order=order):
                    counts["releases"] += 1
                    line = json.dumps(release, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
                    packed.write(line.encode("utf-8") + b"\n")

    folder = selectors.bulk_dir()
    _replace(folder / selectors.BULK_FILE, write)
    built = timezone.now()
    note = {"built": built.isoformat(), **counts}
    _replace(folder / selectors.BULK_META, lambda out: out.write(json.dumps(note).encode("utf-8")))
    return BulkBuilt(built=built, **counts)
