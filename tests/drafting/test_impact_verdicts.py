"""The impact report as a manager reads it: numbers rounded (never truncated) in French, and one
plain-language sentence per comparison, which never reads "no difference" as "no effect"."""

from __future__ import annotations

import pytest
from django.utils import translation

from cases.reporting.tables import Table, display
from drafting.experiment.impact.verdicts import handling_verdict, satisfaction_verdict


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3.6 - 3.1, "0,5"),  # 0.5000000000000004, was "0,4" when truncated
        (200 / 3, "66,7"),  # was "66,6"
        (0.05, "0,1"),
        (2.25, "2,3"),
        (-0.04, "-0,0"),
        (1234.56, "1\u202f234,6"),
        (100.0, "100,0"),
    ],
)
def test_figures_are_rounded_half_up_in_french(value, shown):
    text = display(value)
    # French grouping is a (narrow) no-break space, whichever the locale files choose.
    assert text.replace("\u00a0", "\u202f") == shown or (text == "0,0" and shown == "-0,0")


def test_table_cells_use_the_same_rounding():
    table = Table(id="t", title="t", columns=["a", "b"], rows=[["x", 3.6 - 3.1]])
    assert table.display_rows[0][1]["text"] == "0,5"


def _handling(verdict, *, gain=None, ci=None, assisted=40, control=40, diff_ci=None):
    return {
        "verdict": verdict,
        "min_cases_per_arm": 30,
        "assisted": {"cases": assisted},
        "control": {"cases": control},
        "relative_gain": gain,
        "relative_gain_ci": ci,
        "difference_ci": diff_ci,
    }


def test_a_gain_is_one_sentence_with_its_range():
    text = handling_verdict(_handling("assisted_faster", gain=0.1849, ci=[0.0901, 0.2702]))
    assert text == (
        "Les dossiers avec brouillon ont été traités en 18 % de temps en moins (entre 9 % et 27 %)."
    )


def test_a_loss_is_said_as_more_time():
    text = handling_verdict(_handling("assisted_slower", gain=-0.12, ci=[-0.2, -0.04]))
    assert text == (
        "Les dossiers avec brouillon ont pris 12 % de temps en plus (entre 4 % et 20 %)."
    )


def test_too_few_cases_says_how_many_more_are_needed():
    text = handling_verdict(_handling("too_few", assisted=12, control=25))
    assert text.startswith("On ne peut pas encore conclure : il faudrait environ 23 dossiers")
    assert "Trop peu" not in text


def test_no_difference_is_never_read_as_no_effect():
    text = handling_verdict(_handling("no_difference", gain=0.03, ci=[-0.08, 0.14]))
    assert "entre 14 % de moins et 8 % de plus" in text
    assert "n’est pas la preuve" in text
    assert "environ 14 % ou plus" in text
    for jargon in ("intervalle de confiance", "Welch", "Newcombe", "README"):
        assert jargon not in text


def _satisfaction(verdict, yes_verdict=None, **values):
    return {
        "verdict": verdict,
        "yes_verdict": yes_verdict or verdict,
        "min_cases_per_arm": 30,
        "assisted": {"responses": values.get("assisted", 40)},
        "control": {"responses": values.get("control", 40)},
        "mean_difference": values.get("mean"),
        "mean_difference_ci": values.get("mean_ci"),
        "yes_share_difference": values.get("yes"),
        "yes_share_difference_ci": values.get("yes_ci"),
    }


def test_satisfaction_sentences_name_the_scale():
    result = _satisfaction(
        "assisted_better", mean=0.34, mean_ci=[0.12, 0.56], yes=0.111, yes_ci=[0.02, 0.2]
    )
    assert satisfaction_verdict(result) == (
        "Les usagers ont mieux noté les dossiers avec brouillon : 0,3 point sur 5 de plus "
        "(entre 0,1 et 0,6)."
    )
    assert "11 points de plus (entre 2 et 20)" in satisfaction_verdict(result, "yes_verdict")


def test_satisfaction_without_difference_says_what_could_have_been_seen():
    result = _satisfaction("no_difference", mean=0.05, mean_ci=[-0.2, 0.3])
    text = satisfaction_verdict(result)
    assert "entre \u22120,2 et +0,3 point sur 5" in text
    assert "environ 0,3 point ou plus" in text


def test_too_few_responses_is_said_once_on_the_page(client, tenant_a):
    from tests.drafting.test_impact import login, make_period

    make_period(tenant_a)
    login(client, tenant_a.manager)
    html = client.get("/brouillons/impact/").content.decode()
    assert html.count("il faudrait environ 60 réponses de plus") == 1
    assert "Comment lire ces chiffres" in html
    assert "README" not in html and "Welch" not in html.split("Pour les spécialistes")[0]
    # No empty chart: the page says why there is nothing to draw.
    assert "Rien à dessiner" in html


def test_the_handling_table_difference_adds_up_with_the_medians_it_shows():
    """Medians shown to a tenth of a minute, and their difference computed from those: a reader
    who subtracts finds the same number (not −7.3 beside 17.8 and 25.0)."""
    from django.utils import translation

    from drafting.experiment.impact.figures import handling_time_rows

    report = {
        "handling_time": {
            "assisted": {"cases": 40, "median_seconds": 25.03 * 60},
            "control": {"cases": 41, "median_seconds": 17.76 * 60},
            "difference_seconds": (17.76 - 25.03) * 60,
            "difference_ci": [-9.0 * 60, -5.0 * 60],
            "relative_gain": -0.41,
            "relative_gain_ci": [-0.5, -0.3],
        }
    }
    with translation.override("en"):
        rows = {str(row[0]): row[1] for row in handling_time_rows(report)}
    assisted = rows["Median, assisted (minutes)"]
    control = rows["Median, control (minutes)"]
    difference = rows["Difference, control − assisted (minutes)"]
    assert (assisted, control) == (25.0, 17.8)
    assert difference == round(control - assisted, 1) == -7.2
    gain = rows["Relative gain, share of the control median (%)"]
    assert round(gain, 1) == round(-7.2 / 17.8 * 100, 1)
    # Half up, as every figure of the app: a median of 17.25 minutes reads 17.3.
    report["handling_time"]["control"]["median_seconds"] = 17.25 * 60
    with translation.override("en"):
        rows = {str(row[0]): row[1] for row in handling_time_rows(report)}
    assert rows["Median, control (minutes)"] == 17.3
