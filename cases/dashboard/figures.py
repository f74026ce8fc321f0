"""The figures of the workload dashboard, in the order of the page.

Each entry is the whole recipe of one figure: the page shows its chart and table, ``?export=<id>``
downloads its table, and the API answers its table under ``tables.<id>``. The queries are in
``selectors.py``; each takes the scope and the period.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cases.reporting.figures import Chart, Figure, Report, Series

from . import selectors

TIMES_COLUMNS = (
    _("Cases answered"),
    _("Median first response (h)"),
    _("Median handling (h)"),
)
TIMES_SERIES = (
    Series(_("Median first response (h)"), 2),
    Series(_("Median handling (h)"), 3),
)
# A median under 0.1 h is 0.0 on the page and draws nothing: "no case matches" would contradict
# the table (and the tiles) showing the cases answered, as a new administration's first quick
# replies do.
TIMES_EMPTY = _(
    "Nothing to draw: no case was answered in this period, or every median is under 0.1 h "
    "(the figures are in the table)."
)

DASHBOARD = Report(
    "workload dashboard",
    [
        # The key figures are the tiles at the top of the page (their keys in ``meta``).
        Figure(
            id="summary",
            title=_("Key figures"),
            columns=(_("Figure"), _("Value")),
            query=selectors.summary,
        ),
        Figure(
            id="open-by-status",
            title=_("Open cases by status"),
            columns=(_("Status"), _("Cases")),
            query=lambda scope, period: selectors.open_by_status(scope),
            chart=Chart("bar", [Series(_("Cases"), 1)], unit=_("cases")),
        ),
        Figure(
            id="open-by-agent",
            title=_("Open cases by agent"),
            columns=(_("Agent"), _("Open cases"), _("Overdue"), _("Due within 48 h")),
            query=lambda scope, period: selectors.open_by_agent(scope),
            chart=Chart(
                "bar",
                [Series(_("Open cases"), 1), Series(_("Overdue"), 2)],
                unit=_("cases"),
                horizontal=True,
            ),
        ),
        Figure(
            id="weekly",
            title=_("New and answered cases per week"),
            columns=(_("Week of"), _("New"), _("Answered")),
            query=selectors.weekly,
            chart=Chart(
                "line",
                [Series(_("New"), 1), Series(_("Answered"), 2)],
                unit=_("cases"),
                note=_(
                    "Weeks start on Monday. The first and the last are cut to the period: they "
                    "may count fewer days, and fewer cases."
                ),
            ),
        ),
        Figure(
            id="times-by-channel",
            title=_("Median times by channel (cases answered in the period)"),
            columns=(_("Channel"), *TIMES_COLUMNS),
            query=selectors.times_by_channel,
            chart=Chart("bar", TIMES_SERIES, unit=_("hours"), empty=TIMES_EMPTY),
        ),
        Figure(
            id="times-by-topic",
            title=_("Median times by topic (cases answered in the period)"),
            columns=(_("Topic"), *TIMES_COLUMNS),
            query=selectors.times_by_topic,
            chart=Chart("bar", TIMES_SERIES, unit=_("hours"), horizontal=True, empty=TIMES_EMPTY),
        ),
        Figure(
            id="satisfaction",
            title=_("Usagers' satisfaction (survey answers in the period)"),
            columns=(
                _("Rating"),
                _("Answers"),
                _("Answered the question: yes"),
                _("Partly"),
                _("No"),
            ),
            query=selectors.satisfaction,
            chart=Chart(
                "bar",
                [
                    Series(_("Answered the question: yes"), 2),
                    Series(_("Partly"), 3),
                    Series(_("No"), 4),
                ],
                unit=_("answers"),
                stacked=True,
            ),
        ),
    ],
)
