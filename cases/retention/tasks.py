"""The retention task: thin, it runs the purge (cases/retention/services.py)."""

from celery import shared_task

from .services import retention_purge


@shared_task(name="cases.retention.purge", acks_late=True, ignore_result=True)
def purge(batch_size: int = 500, max_batches: int | None = None) -> int:
    """Anonymise the closed cases past their retention period (resumable: run it nightly)."""
    return retention_purge(batch_size=batch_size, max_batches=max_batches)
