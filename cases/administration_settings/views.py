"""The administration settings page (administrators): response deadlines, signature and
closing formula, the "Pour en savoir plus" list in replies, and the administration's own
topics. Knowledge lives in drafting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import services as account_services
from accounts.access import administration_for, requires
from accounts.models import Administration
from accounts.permissions import MANAGE_SETTINGS

from ..models import ResponseDeadline, Topic
from . import services
from .forms import DeadlinesForm, ReferencesForm, TextsForm, TopicForm, deadline_field_name


def _form_errors(form, exc: ValidationError, *, field_for=lambda name: name) -> None:
    for field, errors in exc.message_dict.items():
        name = field_for(field)
        form.add_error(name if name in form.fields else None, errors)


def _page(request: HttpRequest, administration: Administration, status: int = 200, **forms):
    configured = dict(
        ResponseDeadline.objects.filter(administration=administration).values_list(
            "channel", "days"
        )
    )
    deadlines_form = forms.get("deadlines_form") or DeadlinesForm(
        initial={deadline_field_name(c): d for c, d in configured.items()}
    )
    texts_form = forms.get("texts_form") or TextsForm(
        initial={"signature": administration.signature, "closing": administration.closing}
    )
    references_form = forms.get("references_form") or ReferencesForm(
        initial={"reply_references": administration.reply_references}
    )
    own_topics = list(
        Topic.objects.filter(administration=administration)
        .annotate(case_count=Count("case"))
        .order_by("-is_active", "name")
    )
    topic_errors = forms.get("topic_errors") or {}
    for topic in own_topics:
        topic.errors = topic_errors.get(topic.pk, [])
    return render(
        request,
        "cases/settings.html",
        {
            "deadlines_form": deadlines_form,
            "texts_form": texts_form,
            "references_form": references_form,
            "topic_form": forms.get("topic_form") or TopicForm(),
            "own_topics": own_topics,
            "national_topics": list(
                Topic.objects.filter(administration__isnull=True, is_active=True).order_by("name")
            ),
        },
        status=status,
    )


@requires(MANAGE_SETTINGS)
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    return _page(request, administration_for(request, MANAGE_SETTINGS))


@requires(MANAGE_SETTINGS)
@require_POST
def deadlines(request: HttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    form = DeadlinesForm(request.POST)
    if form.is_valid():
        try:
            services.response_deadlines_set(
                actor=request.user, administration=administration, days=form.days()
            )
        except ValidationError as exc:
            _form_errors(form, exc, field_for=deadline_field_name)
        else:
            messages.success(
                request,
                _("Response deadlines saved. They apply to new cases; open cases keep theirs."),
            )
            return redirect("cases:settings")
    return _page(request, administration, status=400, deadlines_form=form)


@requires(MANAGE_SETTINGS)
@require_POST
def texts(request: HttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    form = TextsForm(request.POST)
    if form.is_valid():
        try:
            account_services.administration_update_texts(
                actor=request.user,
                administration=administration,
                signature=form.cleaned_data["signature"],
                closing=form.cleaned_data["closing"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Signature and closing formula saved."))
            return redirect("cases:settings")
    return _page(request, administration, status=400, texts_form=form)


@requires(MANAGE_SETTINGS)
@require_POST
def references(request: HttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    form = ReferencesForm(request.POST)
    form.is_valid()  # a checkbox: absent is off, never an error
    enabled = form.cleaned_data.get("reply_references", False)
    services.reply_references_set(
        actor=request.user, administration=administration, enabled=enabled
    )
    messages.success(
        request,
        _("Replies built from a draft end with the “Pour en savoir plus” list.")
        if enabled
        else _("Replies no longer get the “Pour en savoir plus” list."),
    )
    return redirect("cases:settings")


@requires(MANAGE_SETTINGS)
@require_POST
def topic_create(request: HttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            topic = services.topic_create(
                actor=request.user, administration=administration, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Topic “%(name)s” created.") % {"name": topic.name})
            return redirect("cases:settings")
    return _page(request, administration, status=400, topic_form=form)


def _topic(administration: Administration, pk: int) -> Topic:
    """An own topic; a national one is read-only (403), another's does not exist (404)."""
    topic = Topic.objects.filter(
        Q(administration__isnull=True) | Q(administration=administration), pk=pk
    ).first()
    if topic is None:
        raise Http404(_("No such topic."))
    if topic.administration_id is None:
        raise PermissionDenied(_("National topics are read-only."))
    return topic


@requires(MANAGE_SETTINGS)
@require_POST
def topic_update(request: HttpRequest, pk: int) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    topic = _topic(administration, pk)
    if "active" in request.POST:
        active = request.POST.get("active") == "1"
        services.topic_update(
            actor=request.user, administration=administration, topic=topic, is_active=active
        )
        messages.success(
            request,
            (
                _("Topic “%(name)s” is offered again.")
                if active
                else _(
                    "Topic “%(name)s” is retired: it is no longer offered, and the cases "
                    "filed under it keep it."
                )
            )
            % {"name": topic.name},
        )
        return redirect("cases:settings")
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            topic = services.topic_update(
                actor=request.user,
                administration=administration,
                topic=topic,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            return _page(request, administration, status=400, topic_errors={topic.pk: exc.messages})
        messages.success(request, _("Topic renamed “%(name)s”.") % {"name": topic.name})
        return redirect("cases:settings")
    return _page(
        request,
        administration,
        status=400,
        topic_errors={topic.pk: [e for errors in form.errors.values() for e in errors]},
    )
