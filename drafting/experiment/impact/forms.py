"""The impact report's filters: period, backend, model, channel, topic of one administration."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Administration
from cases.models import Channel, Topic, topic_choices
from drafting.models import ExperimentPeriod

from .figures import backend_label, backend_name
from .filters import ImpactFilters, configurations_of, periods_of

ALL_PERIODS = "all"


class ImpactFilterForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    backend = forms.ChoiceField(label=gettext_lazy("Drafting backend"), required=False)
    model = forms.ChoiceField(label=gettext_lazy("Model"), required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", gettext_lazy("All")), *Channel.choices],
    )
    topic = forms.TypedChoiceField(
        label=gettext_lazy("Topic"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, administration: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        self.administration = administration
        self.periods = list(periods_of(administration))
        self.fields["period"].choices = [(ALL_PERIODS, _("All periods"))] + [
            (str(p.pk), period_label(p)) for p in self.periods
        ]
        backends, models = configurations_of(administration)
        self.fields["backend"].choices = [("", _("All"))] + [(b, backend_name(b)) for b in backends]
        self.fields["model"].choices = [("", _("All"))] + [(m, m) for m in models]
        topics = Topic.objects.filter(
            Q(administration=administration) | Q(administration__isnull=True)
        ).order_by("name")
        self.fields["topic"].choices = topic_choices(topics, empty=_("All"))
        for field in self.fields.values():
            field.widget.attrs["class"] = "fr-select"

    def clean_period(self) -> ExperimentPeriod | None:
        value = self.cleaned_data.get("period") or ""
        if value == ALL_PERIODS:
            return None
        if not value:  # by default, the latest configuration period
            return self.periods[0] if self.periods else None
        return next(p for p in self.periods if str(p.pk) == value)

    def filters(self) -> ImpactFilters:
        data = self.cleaned_data
        return ImpactFilters(
            administration=self.administration,
            period=data["period"],
            backend=data.get("backend") or "",
            model_name=data.get("model") or "",
            channel=data.get("channel") or "",
            topic_id=data.get("topic"),
        )


def period_label(period: ExperimentPeriod) -> str:
    start = formats.date_format(period.started_at, "SHORT_DATE_FORMAT")
    end = (
        formats.date_format(period.ended_at, "SHORT_DATE_FORMAT")
        if period.ended_at
        else _("running")
    )
    share = formats.number_format(float(period.assisted_share) * 100, decimal_pos=0)
    return _("%(start)s → %(end)s · %(model)s · %(share)s%% assisted") % {
        "start": start,
        "end": end,
        "model": backend_label(period.backend, period.model_name),
        "share": share,
    }


def parse_filters(administration: Administration, data) -> ImpactFilterForm:
    """The bound filter form. A period id that is not one of this administration's answers 404
    (it may exist elsewhere); any other bad value is the form's error (400)."""
    period = str(data.get("period") or "")
    if period.isdigit() and not periods_of(administration).filter(pk=int(period)).exists():
        raise Http404
    form = ImpactFilterForm(data, administration=administration)
    if not period and form.periods:
        # By default the latest configuration period, shown as chosen in the form.
        data = data.copy()
        data["period"] = str(form.periods[0].pk)
        form.data = data
    return form
