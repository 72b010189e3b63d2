from django.contrib import admin

from yiwang.taxonomy.models import Category, TaxonomyVersion, Theme


@admin.register(TaxonomyVersion)
class TaxonomyVersionAdmin(admin.ModelAdmin[TaxonomyVersion]):
    list_display = ["name", "is_active", "created_at", "source"]


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
