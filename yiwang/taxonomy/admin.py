from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.adminimport import TableFileField, read_uploaded_table
from yiwang.taxonomy.imports import do_activate_version, import_taxonomy
from yiwang.taxonomy.models import Category, TaxonomyVersion, Theme


class TaxonomyImportForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Version name"), max_length=128)
    file = TableFileField()
    activate = forms.BooleanField(label=gettext_lazy("Activate at once"), required=False)


@admin.register(TaxonomyVersion)
class TaxonomyVersionAdmin(admin.ModelAdmin[TaxonomyVersion]):
    list_display = ["name", "is_active", "created_at", "source"]
    actions = ["activate"]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="taxonomy_import"), *super().get_urls()]

    @admin.action(description=gettext_lazy("Activate the selected version"))
    def activate(self, request: HttpRequest, queryset: QuerySet[TaxonomyVersion]) -> None:
        if not request.user.has_perm("accounts.manage_taxonomy") or queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        version = queryset.get()
        do_activate_version(version)
        self.message_user(request, _("%(name)s is now active.") % {"name": version.name})

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("accounts.manage_taxonomy"):
            raise PermissionDenied
        form = TaxonomyImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            table = read_uploaded_table(form)
            if table is not None:
                version, report = import_taxonomy(
                    table,
                    name=form.cleaned_data["name"],
                    source=form.cleaned_data["file"].name,
                    activate=form.cleaned_data["activate"],
                )
                if version is not None:
                    message = _("Version %(name)s imported with %(count)d categories.")
                    messages.success(
                        request, message % {"name": version.name, "count": report.created}
                    )
                    return redirect("admin:taxonomy_taxonomyversion_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "report": report,
            "title": _("Import a taxonomy version"),
            "help": _(
                "Either the columns code, parent_code, name_zh, name_en, description_zh, "
                "description_en, keywords (separated by |), dept_kind; or one column per level "
                "(一级分类, 二级分类, 三级分类 …). A new version never changes an existing one."
            ),
        }
        return render(request, "admin/table_import.html", context)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code", "name_zh", "name_en", "dept_kind", "is_leaf", "version"]
    list_filter = ["version", "depth", "dept_kind"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["parent"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin[Theme]):
    list_display = ["code", "name_zh", "name_en", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
