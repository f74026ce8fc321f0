"""The administrations' case tallies (``CaseTally``), kept by database triggers (migration
0007). Writers that switch the triggers off (the bulk generator's replication role) add their
rows here; ``tally_recount`` rebuilds a tally from the table (repair, or after a restore)."""

from __future__ import annotations

from django.db import connection

from .models import Case, CaseTally


def tally_add(administration_id: int, count: int, *, cursor=None) -> None:
    table = connection.ops.quote_name(CaseTally._meta.db_table)
    sql = (
        f"INSERT INTO {table} (administration_id, total) VALUES (%s, %s) "  # noqa: S608
        f"ON CONFLICT (administration_id) DO UPDATE SET total = {table}.total + EXCLUDED.total"
    )
    if cursor is not None:
        cursor.execute(sql, [administration_id, count])
        return
    with connection.cursor() as own:
        own.execute(sql, [administration_id, count])


def tally_recount(administration_id: int) -> int:
    """Set the tally to the exact count (one scan of the administration's cases)."""
    total = Case.objects.filter(administration_id=administration_id).count()
    CaseTally.objects.update_or_create(
        administration_id=administration_id, defaults={"total": total}
    )
    return total
