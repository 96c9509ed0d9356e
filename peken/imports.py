"""Big uploads applied in the background: start an import job, run it in a worker, read its progress.

A web worker has 30 seconds; a validated upload of thousands of rows can take
longer to apply, so above settings.PEKEN_CSV_BACKGROUND_ROWS the owning app
calls import_job_start and sends the user to a page that polls
import_job_progress. The apply itself belongs to the app that owns the data
(the seller centre's stock, an agency's budget): each registers a runner for
its kind with import_runner_register, so this module imports neither.

A runner applies the whole file in one transaction (all or nothing), so the
rows it has done so far are invisible to other connections until it commits;
it reports them through the cache instead, which every process shares in
production (and which tasks run inline for in development).
"""

import logging
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peken import tasks
from peken.csv_upload import ERRORS_SHOWN
from peken.models import ImportJob, ImportJobStatus, ImportKind

logger = logging.getLogger(__name__)

# The moves a job's status may make; anything else is refused (ImportJobStatusError).
IMPORT_JOB_TRANSITIONS = {
    ImportJobStatus.QUEUED: {ImportJobStatus.RUNNING, ImportJobStatus.FAILED},
    ImportJobStatus.RUNNING: {ImportJobStatus.DONE, ImportJobStatus.FAILED},
    ImportJobStatus.DONE: set(),
    ImportJobStatus.FAILED: set(),
}
PROGRESS_SECONDS = 6 * 60 * 60  # how long the cache keeps a running job's count

Progress = Callable[[int], None]
Runner = Callable[[ImportJob, Progress], dict]
_RUNNERS: dict[str, Runner] = {}


class ImportJobStatusError(Exception):
    """A status move that IMPORT_JOB_TRANSITIONS does not allow."""


class ImportJobFailed(Exception):
    """Raised by a runner when nothing was applied; ``errors`` holds (line, message) pairs."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("; ".join(f"{line}: {message}" for line, message in errors[:5]))
        self.errors = errors


def import_runner_register(kind: ImportKind, runner: Runner) -> None:
    """Name the function that applies jobs of ``kind`` (called from the owning app's ready())."""
    _RUNNERS[kind] = runner


def import_jobs_of(*, owner: models.Model, kind: ImportKind) -> QuerySet:
    """The jobs of one kind that belong to ``owner`` (a shop, an agency), newest first."""
    return ImportJob.objects.select_related("actor").filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk, kind=kind
    )


def _progress_key(job_id: int) -> str:
    return f"peken:import-job:{job_id}:rows"


def import_job_progress(*, job: ImportJob) -> dict:
    """What the progress bar shows: status, rows done of the total, and whether it has finished."""
    done = job.rows_done
    if job.status == ImportJobStatus.RUNNING:
        done = max(done, cache.get(_progress_key(job.pk), 0))
    done = min(done, job.rows_total)
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "rows_done": done,
        "rows_total": job.rows_total,
        "percent": 100 * done // job.rows_total if job.rows_total else 100,
        "finished": job.finished,
    }


def import_job_context(*, job: ImportJob) -> dict:
    """A job page's context: the job, its progress, and its problems as csv_errors.html shows them."""
    return {
        "job": job,
        "progress": import_job_progress(job=job),
        "csv_errors": job.errors,
        "csv_errors_total": job.errors_total,
        "csv_errors_more": max(0, job.errors_total - len(job.errors)),
    }


def import_job_start(
    *,
    kind: ImportKind,
    owner: models.Model,
    actor: AbstractBaseUser,
    file_name: str,
    content: bytes,
    rows_total: int,
    params: dict | None = None,
) -> ImportJob:
    """Record who started an import of what, and queue it for a worker once this transaction commits.

    The caller has validated the file; the runner checks it again under its
    locks, because the data may change before a worker takes the job.
    """
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            owner_type=ContentType.objects.get_for_model(owner),
            owner_id=owner.pk,
            actor=actor,
            file_name=file_name[:255],
            content=content,
            rows_total=rows_total,
            params=params or {},
        )
        transaction.on_commit(lambda: tasks.import_job_run.delay(job.pk))
    return job


def _status_move(job: ImportJob, status: ImportJobStatus, **fields) -> None:
    """Move a locked job to ``status`` and save it with ``fields``; ImportJobStatusError if not allowed."""
    if status not in IMPORT_JOB_TRANSITIONS[ImportJobStatus(job.status)]:
        raise ImportJobStatusError(f"import job {job.pk}: {job.status} -> {status}")
    now = timezone.now()
    fields["status"] = status
    if status == ImportJobStatus.RUNNING:
        fields["date_started"] = now
    else:  # done or failed: the file is no longer needed
        fields.update(date_finished=now, content=b"")
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


def _fail(job_id: int, errors: list[tuple[int, str]]) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if not job.finished:
            _status_move(
                job,
                ImportJobStatus.FAILED,
                errors=[list(e) for e in errors[:ERRORS_SHOWN]],
                errors_total=len(errors),
            )
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Apply a queued job with its kind's runner, recording progress, the result or the problems.

    Safe to run twice (a redelivered task): a finished job is returned as it
    is, and the job row stays locked while it is applied, so a second run
    waits and then finds it finished. The job is marked done in the same
    transaction as the apply, so a worker that dies half-way leaves it
    running with nothing applied, and the redelivered task applies it.
    A runner's ImportJobFailed, or any other error, fails the job with
    nothing applied; the latter is logged.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return job
        if job.status == ImportJobStatus.QUEUED:
            _status_move(job, ImportJobStatus.RUNNING)
    key = _progress_key(job_id)

    def progress(rows_done: int) -> None:
        cache.set(key, rows_done, PROGRESS_SECONDS)

    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.finished:
                return job
            result = _RUNNERS[job.kind](job, progress)
            _status_move(job, ImportJobStatus.DONE, rows_done=job.rows_total, result=result)
    except ImportJobFailed as exc:
        job = _fail(job_id, exc.errors)
    except Exception:
        logger.exception("import job %s failed", job_id)
        job = _fail(
            job_id,
            [
                (
                    0,
                    _(
                        "Terjadi kesalahan saat menerapkan berkas; tidak ada yang diubah. "
                        "Coba unggah lagi, atau hubungi pengelola Peken."
                    ),
                )
            ],
        )
    finally:
        cache.delete(key)
    return job
