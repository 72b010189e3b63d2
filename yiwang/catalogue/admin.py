from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from yiwang.catalogue.actions import do_refresh_search
from yiwang.catalogue.models import Implementation, Material, Question, ServiceItem, ServiceTheme


class RefreshesSearch:
    """Admin edits keep search current: the changed item's document and counts, after the
    item's themes are saved (the admin's own transaction holds both)."""

    @staticmethod
    def _item_id(obj: Any) -> int:
        return int(obj.item_id if isinstance(obj, Implementation) else obj.pk)

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        do_refresh_search([self._item_id(form.instance)])

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        item_id = self._item_id(obj)
        super().delete_model(request, obj)  # type: ignore[misc]
        do_refresh_search([item_id])


@admin.register(ServiceTheme)
class ServiceThemeAdmin(admin.ModelAdmin[ServiceTheme]):
    list_display = ("code", "name_zh", "audience")


@admin.register(ServiceItem)
class ServiceItemAdmin(RefreshesSearch, admin.ModelAdmin[ServiceItem]):
    list_display = ("basic_code", "name_zh", "item_type", "node")
    list_filter = ("item_type", "node")
    search_fields = ("basic_code", "name_zh")
    raw_id_fields = ("parent",)


class MaterialInline(admin.TabularInline[Material, Implementation]):
    model = Material
    extra = 0


class QuestionInline(admin.StackedInline[Question, Implementation]):
    model = Question
    extra = 0


@admin.register(Implementation)
class ImplementationAdmin(RefreshesSearch, admin.ModelAdmin[Implementation]):
    list_display = ("code", "item", "body", "region", "level", "online")
    list_filter = ("level", "online")
    search_fields = ("code", "item__name_zh")
    raw_id_fields = ("item", "body", "region")
    inlines = [MaterialInline, QuestionInline]
