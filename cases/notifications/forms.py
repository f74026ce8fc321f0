from __future__ import annotations

from django import forms

from ..models import NotificationPreference


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["usager_answered", "assigned", "due_soon", "daily_digest"]
