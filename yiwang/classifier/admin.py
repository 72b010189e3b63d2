from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.accounts.models import User
from yiwang.adminimport import TableFileField, read_uploaded_table
from yiwang.classifier.imports import Columns, import_examples
from yiwang.classifier.models import ModelVersion, Suggestion, Target, TrainingExample


class ExamplesImportForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("The labels name"), choices=Target.choices)
    file = TableFileField()
    text_column = forms.CharField(label=gettext_lazy("Column of the text"), initial="text")
    label_column = forms.CharField(label=gettext_lazy("Column of the label"), initial="label")
    title_column = forms.CharField(
        label=gettext_lazy("Column of the title (may be absent)"), initial="title"
    )


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TrainingExample)
class TrainingExampleAdmin(_ReadOnly):
    """Read-only: examples come from imports (and, for the desk's decisions, from messages)."""

    list_display = ["label", "target", "title", "source", "imported_at"]
    list_filter = ["target", "source"]
    search_fields = ["title", "label"]
    readonly_fields = [f.name for f in TrainingExample._meta.fields]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="classifier_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.has_perm("accounts.manage_taxonomy"):
            raise PermissionDenied
        form = ExamplesImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            table = read_uploaded_table(form)
            if table is not None:
                data = form.cleaned_data
                columns = Columns(data["text_column"], data["label_column"], data["title_column"])
                source = data["file"].name or "upload"
                report = import_examples(table, Target(data["target"]), columns, source, user)
                if report.ok:
                    messages.success(
                        request,
                        _("Imported: %(created)d new, %(skipped)d already there.")
                        % {"created": report.created, "skipped": report.skipped},
                    )
                    return redirect("admin:classifier_import")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "report": report,
            "title": _("Import labelled messages"),
            "help": _(
                "One row per message: its text, optional title and label. A category label is "
                "a code, a path of names (城乡建设/住房) or a name used once in the active "
                "taxonomy; a department label is a short code or a name. One bad row saves "
                "nothing; rows already imported are skipped."
            ),
        }
        return render(request, "admin/table_import.html", context)


@admin.register(ModelVersion)
class ModelVersionAdmin(_ReadOnly):
    list_display = ["target", "number", "is_active", "created_at", "activated_at", "size"]
    list_filter = ["target", "is_active"]
    readonly_fields = [f.name for f in ModelVersion._meta.fields]


@admin.register(Suggestion)
class SuggestionAdmin(_ReadOnly):
    list_display = [
        "message",
        "target",
        "model_version",
        "abstained",
        "created_at",
        "auto_applied_at",
    ]
    list_filter = ["target", "abstained"]
    raw_id_fields = ["message"]
    readonly_fields = [f.name for f in Suggestion._meta.fields]
