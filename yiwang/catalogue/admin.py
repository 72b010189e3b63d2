from __future__ import annotations

from django.contrib import admin

from yiwang.catalogue.models import Implementation, Material, Question, ServiceItem, ServiceTheme


@admin.register(ServiceTheme)
class ServiceThemeAdmin(admin.ModelAdmin[ServiceTheme]):
    list_display = ("code", "name_zh", "audience")


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin[ServiceItem]):
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
class ImplementationAdmin(admin.ModelAdmin[Implementation]):
    list_display = ("code", "item", "body", "region", "level", "online")
    list_filter = ("level", "online")
    search_fields = ("code", "item__name_zh")
    raw_id_fields = ("item", "body", "region")
    inlines = [MaterialInline, QuestionInline]
