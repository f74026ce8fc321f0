"""Forms of the administrators' knowledge pages: uploading fiches, writing an article."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from cases.models import topic_choices

from . import services
from .fiches import SUFFIXES

# Django refuses more files in one request (DATA_UPLOAD_MAX_NUMBER_FILES, 100 by default).
MAX_UPLOAD_FILES = 100


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pattern of Django's documentation)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(SUFFIXES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class KnowledgeUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Fiches to import"),
        help_text=_(
            "service-public.fr XML fiches or Markdown files with a front matter (.xml, .md). "
            "All or nothing: one bad file and nothing is imported."
        ),
        error_messages={"required": _("Choose at least one file.")},
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError(_("Choose at least one file."))
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(
                _("%(max)d files at most per import.") % {"max": MAX_UPLOAD_FILES}
            )
        names = set()
        for file in files:
            name = file.name or ""
            if not name.lower().endswith(SUFFIXES):
                raise forms.ValidationError(
                    _("%(name)s: only .xml and .md files can be imported.") % {"name": name}
                )
            if name in names:
                raise forms.ValidationError(_("%(name)s is chosen twice.") % {"name": name})
            names.add(name)
        return files


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    external_id = forms.CharField(
        label=_("Identifier (optional)"),
        required=False,
        max_length=64,
        help_text=_("Letters, digits, dots, dashes or underscores; made up if left empty."),
    )
    summary = forms.CharField(
        label=_("Summary (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=200_000,
        help_text=_("Paragraphs separated by an empty line; “## Heading” lines start sections."),
    )
    source_url = forms.URLField(
        label=_("Source address (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, topics=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices(topics, empty=_("None"))
        if editing:
            del self.fields["external_id"]


def import_uploads(
    *, actor, administration, files
) -> tuple[services.ImportReport | None, list[str]]:
    """Import uploaded fiches through the knowledge import: (report, []) or (None, errors).

    Each file is written under a safe name in a temporary folder; errors name the file as the
    person chose it.
    """
    with tempfile.TemporaryDirectory(prefix="guichet-upload-") as folder:
        by_disk: dict[str, str] = {}
        for index, upload in enumerate(files):
            disk = f"{index:04d}-{get_valid_filename(Path(upload.name).name)}"
            with (Path(folder) / disk).open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            by_disk[disk] = upload.name
        try:
            report = services.knowledge_upload(
                actor=actor,
                administration=administration,
                folder=Path(folder),
                names=list(by_disk.values()),
            )
        except services.KnowledgeImportError as exc:
            # The language's separator: "F1.xml: …" in English, "F1.xml : …" in French.
            separator = pgettext("label separator", ": ")
            return None, [
                f"{_named(Path(e.path).name, by_disk)}{separator}{_named(e.message, by_disk)}"
                for e in exc.errors
            ]
    return report, []


def _named(message: str, by_disk: dict[str, str]) -> str:
    """``message`` with the files named as the person chose them, not as saved on disk."""
    for disk, name in by_disk.items():
        message = message.replace(disk, name)
    return message
