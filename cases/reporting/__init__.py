"""The reporting layer the managers' reports share (the workload dashboard in
``cases/dashboard/``, the impact report in ``drafting/experiment/impact/``).

- ``figures``: ``Figure`` (query → table → chart → export → API field) and ``Report``, the
  ordered registry of a report's figures that its page, exports and API all read;
- ``tables``: ``Table`` (a figure's rows, rendered as HTML) and ``chart`` specs;
- ``exports``: any table as CSV or XLSX;
- ``sql``: durations, medians and percentiles, written once for PostgreSQL and SQLite.
"""
