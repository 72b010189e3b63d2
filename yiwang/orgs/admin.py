from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.adminimport import TableFileField, read_uploaded_table
from yiwang.orgs.imports import IMPORTERS
from yiwang.orgs.models import Department, Region, ServiceHall


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        label=gettext_lazy("What to import"),
        choices=[
            ("regions", gettext_lazy("Regions")),
            ("departments", gettext_lazy("Departments")),
            ("halls", gettext_lazy("Service halls")),
        ],
    )
    file = TableFileField()


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ["code", "name_zh", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["parent"]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="orgs_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("accounts.manage_organisations"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            table = read_uploaded_table(form)
            if table is not None:
                report = IMPORTERS[form.cleaned_data["what"]](table)
                if report.ok:
                    messages.success(
                        request,
                        _("Imported: %(created)d new, %(updated)d updated.")
                        % {"created": report.created, "updated": report.updated},
                    )
                    return redirect("admin:orgs_import")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "report": report,
            "title": _("Import organisations"),
            "help": _(
                "Columns: regions — code, name_zh, name_en, parent_code, level; departments — "
                "short_code, name_zh, name_en, kind, region_code, parent_short_code; service "
                "halls — code, name_zh, name_en, region_code, address_zh, address_en. One bad "
                "row saves nothing."
            ),
        }
        return render(request, "admin/table_import.html", context)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["short_code", "name_zh", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "is_active", "region__level"]
    search_fields = ["short_code", "name_zh", "name_en"]
    raw_id_fields = ["parent", "region"]


@admin.register(ServiceHall)
class ServiceHallAdmin(admin.ModelAdmin[ServiceHall]):
    list_display = ["code", "name_zh", "region", "address_zh", "is_active"]
    search_fields = ["code", "name_zh", "address_zh"]
    raw_id_fields = ["region"]
