from celery import shared_task

from peken import imports


@shared_task(acks_late=True)
def import_job_run(job_id: int) -> None:
    """Apply one big upload (peken.imports); queued once its job is committed, safe to run twice."""
    imports.import_job_run(job_id=job_id)
