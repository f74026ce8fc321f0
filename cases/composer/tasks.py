"""The composer's housekeeping (Celery beat: config/celery.py).

Files uploaded for a preview and never sent stay *pending* (cases/services/reply_attachments.py).
A later preview purges the old ones in passing, but an agent who leaves the composer may never
preview again: this task deletes them on a schedule, whatever happens in the composer."""

from celery import shared_task

from ..services.reply_attachments import reply_attachments_purge_pending

# Each call deletes a bounded batch; a backlog (the task was off for a while) takes several.
MAX_BATCHES = 100


@shared_task(name="cases.composer.purge_pending_attachments", ignore_result=True)
def purge_pending_attachments() -> int:
    """Pending reply attachments older than their lifetime (24 h): rows and files deleted.
    Returns how many."""
    purged = 0
    for _batch in range(MAX_BATCHES):
        deleted = reply_attachments_purge_pending()
        purged += deleted
        if not deleted:
            break
    return purged
