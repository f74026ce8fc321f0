"""The agent's notifications page, opening one, and their choices."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, administration_for, requires, signed_in

from ..models import Notification
from . import selectors, services
from .forms import NotificationPreferenceForm

PAGE_SIZE = 50


@requires()
@require_http_methods(["GET"])
def notifications_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request)
    notifications = list(selectors.notifications_of(request.user, administration)[:PAGE_SIZE])
    return render(
        request,
        "cases/notifications.html",
        {
            "notifications": notifications,
            "unread": sum(1 for n in notifications if n.read_at is None),
        },
    )


@requires()
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request)
    count = services.notifications_mark_read(user=request.user, administration=administration)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("cases:notifications")


@requires()
@require_POST
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and open its case (only the user's own, in this
    administration: anything else is 404)."""
    administration = administration_for(request)
    notification = Notification.objects.filter(
        pk=pk, user=request.user, administration=administration
    ).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return redirect("cases:detail", pk=notification.case_id)


@signed_in
@require_http_methods(["GET", "POST"])
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    preference = selectors.notification_preference(request.user)
    form = NotificationPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.notification_preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification choices are saved."))
        return redirect("cases:notification_preferences")
    return render(request, "cases/notification_preferences.html", {"form": form})
