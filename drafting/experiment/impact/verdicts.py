"""The report's conclusions in words: what the confidence intervals allow one to say."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def handling_verdict(result: dict[str, Any]) -> str:
    verdict = result["verdict"]
    if verdict == "too_few":
        return _(
            "Too few cases to conclude: at least %(min)s cases answered by volunteers are needed "
            "in each arm (assisted: %(assisted)s, control: %(control)s)."
        ) % {
            "min": result["min_cases_per_arm"],
            "assisted": result["assisted"]["cases"],
            "control": result["control"]["cases"],
        }
    return {
        "assisted_faster": _(
            "Assisted cases are answered faster: the confidence interval (95 %) of the difference "
            "lies above zero."
        ),
        "assisted_slower": _(
            "Assisted cases are answered more slowly: the confidence interval (95 %) of the "
            "difference lies below zero."
        ),
        "no_difference": _(
            "No difference in handling time can be concluded: the confidence interval (95 %) of "
            "the difference includes zero."
        ),
    }[verdict]


def satisfaction_verdict(result: dict[str, Any], key: str = "verdict") -> str:
    verdict = result[key]
    if verdict == "too_few":
        return _(
            "Too few responses to conclude: at least %(min)s survey responses are needed in each "
            "arm (assisted: %(assisted)s, control: %(control)s)."
        ) % {
            "min": result["min_cases_per_arm"],
            "assisted": result["assisted"]["responses"],
            "control": result["control"]["responses"],
        }
    return {
        "assisted_better": _(
            "Usagers of assisted cases are more satisfied: the confidence interval (95 %) lies "
            "above zero."
        ),
        "assisted_worse": _(
            "Usagers of assisted cases are less satisfied: the confidence interval (95 %) lies "
            "below zero."
        ),
        "no_difference": _(
            "No difference in satisfaction can be concluded: the confidence interval (95 %) "
            "includes zero."
        ),
    }[verdict]
