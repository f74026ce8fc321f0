"""The report's conclusions in plain words, one per comparison, for readers who are not
statisticians: what the drafts changed and by how much (with the plausible range), or why
nothing can be concluded yet. A comparison without a clear difference never reads as "no
effect": it says which size of effect the cases so far could have shown.

The numbers are rounded half up and written for the active language (``number``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.reporting.tables import number

from .statistics import MIN_CASES_PER_ARM


def _pct(share: float) -> str:
    """A share (0.18) as a whole percentage for a sentence ("18")."""
    return number(abs(share) * 100, 0)


def _missing(result: dict[str, Any], key: str) -> int:
    """How many more cases (or responses) the arms need to reach the minimum, together."""
    minimum = result["min_cases_per_arm"]
    return sum(max(0, minimum - result[arm][key]) for arm in ("assisted", "control"))


def handling_verdict(result: dict[str, Any]) -> str:
    verdict = result["verdict"]
    if verdict == "too_few":
        missing = _missing(result, "cases")
        return ngettext(
            "We cannot conclude yet: about %(missing)s more case answered by a volunteer is "
            "needed (at least %(min)s in each group; with a draft: %(assisted)s, without: "
            "%(control)s).",
            "We cannot conclude yet: about %(missing)s more cases answered by volunteers are "
            "needed (at least %(min)s in each group; with a draft: %(assisted)s, without: "
            "%(control)s).",
            missing,
        ) % {
            "missing": missing,
            "min": result["min_cases_per_arm"],
            "assisted": result["assisted"]["cases"],
            "control": result["control"]["cases"],
        }
    gain, ci = result.get("relative_gain"), result.get("relative_gain_ci")
    if gain is None or not ci:
        # No control median to compare with (all answered at once): speak in minutes.
        low, high = (v / 60 for v in result["difference_ci"])
        return _(
            "The difference in handling time is between %(low)s and %(high)s minutes "
            "(positive: time saved with a draft)."
        ) % {"low": number(low), "high": number(high)}
    if verdict == "assisted_faster":
        return _(
            "Cases with a draft were handled in %(gain)s %% less time (between %(low)s %% and "
            "%(high)s %%)."
        ) % {"gain": _pct(gain), "low": _pct(ci[0]), "high": _pct(ci[1])}
    if verdict == "assisted_slower":
        return _(
            "Cases with a draft took %(loss)s %% more time (between %(low)s %% and %(high)s %%)."
        ) % {"loss": _pct(gain), "low": _pct(ci[1]), "high": _pct(ci[0])}
    detectable = max(abs(ci[0]), abs(ci[1]))
    return _(
        "No difference in handling time is shown yet: with a draft, the time is somewhere "
        "between %(low)s %% less and %(high)s %% more. This is not proof that drafts change "
        "nothing: with the cases so far, only a difference of about %(detectable)s %% or more "
        "could have been seen."
    ) % {
        "low": _pct(max(ci[1], 0)),
        "high": _pct(min(ci[0], 0)),
        "detectable": _pct(detectable),
    }


def satisfaction_verdict(result: dict[str, Any], key: str = "verdict") -> str:
    verdict = result[key]
    if verdict == "too_few":
        missing = _missing(result, "responses")
        return ngettext(
            "We cannot conclude yet: about %(missing)s more survey response is needed (at least "
            "%(min)s in each group; with a draft: %(assisted)s, without: %(control)s).",
            "We cannot conclude yet: about %(missing)s more survey responses are needed (at "
            "least %(min)s in each group; with a draft: %(assisted)s, without: %(control)s).",
            missing,
        ) % {
            "missing": missing,
            "min": result["min_cases_per_arm"],
            "assisted": result["assisted"]["responses"],
            "control": result["control"]["responses"],
        }
    if key == "yes_verdict":
        difference, ci = result["yes_share_difference"], result["yes_share_difference_ci"]
        words = {
            "assisted_better": _(
                "More usagers say their question was answered when the case had a draft: "
                "%(value)s points more (between %(low)s and %(high)s)."
            ),
            "assisted_worse": _(
                "Fewer usagers say their question was answered when the case had a draft: "
                "%(value)s points less (between %(low)s and %(high)s)."
            ),
            "no_difference": _(
                "No difference is shown yet in the share of usagers whose question was "
                "answered: between %(low)s and %(high)s points. Only a difference of about "
                "%(detectable)s points or more could have been seen with the responses so far."
            ),
        }
        scale = 100.0
    else:
        difference, ci = result["mean_difference"], result["mean_difference_ci"]
        words = {
            "assisted_better": _(
                "Usagers rated the cases with a draft higher: %(value)s point out of 5 more "
                "(between %(low)s and %(high)s)."
            ),
            "assisted_worse": _(
                "Usagers rated the cases with a draft lower: %(value)s point out of 5 less "
                "(between %(low)s and %(high)s)."
            ),
            "no_difference": _(
                "No difference in rating is shown yet: between %(low)s and %(high)s point out of "
                "5. Only a difference of about %(detectable)s point or more could have been seen "
                "with the responses so far."
            ),
        }
        scale = 1.0
    decimals = 0 if scale == 100.0 else 1
    low, high = sorted(abs(bound) for bound in ci) if verdict != "no_difference" else ci
    if verdict == "no_difference":
        return words[verdict] % {
            "low": _signed(low * scale, decimals),
            "high": _signed(high * scale, decimals),
            "detectable": number(max(abs(ci[0]), abs(ci[1])) * scale, decimals),
        }
    return words[verdict] % {
        "value": number(abs(difference) * scale, decimals),
        "low": number(low * scale, decimals),
        "high": number(high * scale, decimals),
    }


def _signed(value: float, decimals: int) -> str:
    text = number(abs(value), decimals)
    if not text.strip("0,. \u00a0\u202f"):
        return text
    return ("+" if value > 0 else "\u2212") + text


def adoption_caution(overall: dict[str, Any]) -> str:
    """Above the adoption shares while they rest on few drafts: "50 %" of two drafts is one
    draft, and it reads as a trend it is not. Empty when there are enough, or none."""
    shown = overall["shown"]
    if not 0 < shown < MIN_CASES_PER_ARM:
        return ""
    return ngettext(
        "Only %(shown)s draft has been shown so far: each new case moves these shares a lot. "
        "A draft still waiting for its agent's decision counts in none of accepted, edited or "
        "discarded, so they may add up to less than 100 %%.",
        "Only %(shown)s drafts have been shown so far: each new case moves these shares a lot. "
        "A draft still waiting for its agent's decision counts in none of accepted, edited or "
        "discarded, so they may add up to less than 100 %%.",
        shown,
    ) % {"shown": number(shown)}
