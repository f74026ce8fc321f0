"""Reading the administration journal: its words (``words``), its filters and pages
(``filters``), its CSV rows (``export``) and whose journal a request reads (``scope``)."""

from .export import EXPORT_FIELDS, csv_header, entry_row
from .filters import (
    PAGE_SIZE,
    AuditFilterForm,
    AuditFilters,
    format_cursor,
    parse_cursor,
)
from .scope import journal_scope
from .words import (
    EMPTY,
    FIELD_LABELS,
    SHORT_VALUE,
    VALUE_LABELS,
    Detail,
    Words,
    action_label,
    category_label,
    describe,
    details_text,
    known_actions,
    values_named,
)

__all__ = [
    "EMPTY",
    "EXPORT_FIELDS",
    "FIELD_LABELS",
    "PAGE_SIZE",
    "SHORT_VALUE",
    "VALUE_LABELS",
    "AuditFilterForm",
    "AuditFilters",
    "Detail",
    "Words",
    "action_label",
    "category_label",
    "csv_header",
    "describe",
    "details_text",
    "entry_row",
    "format_cursor",
    "journal_scope",
    "known_actions",
    "parse_cursor",
    "values_named",
]
