from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from yiwang.casework.models import CalendarYear
from yiwang.lib.workdays import parse_year_json


class CalendarYearForm(forms.ModelForm[CalendarYear]):
    class Meta:
        model = CalendarYear
        fields = ["year", "data", "source"]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        text, year = cleaned.get("data"), cleaned.get("year")
        if not isinstance(text, str) or year is None:
            return cleaned
        try:
            parsed = parse_year_json(text)
        except ValueError as exc:
            self.add_error("data", _("The calendar data is not valid: %(error)s") % {"error": exc})
            return cleaned
        if parsed.year != year:
            self.add_error(
                "data",
                _("The data is for %(found)d, not %(year)d.")
                % {"found": parsed.year, "year": year},
            )
        return cleaned


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    form = CalendarYearForm
    list_display = ["year", "source", "updated_at"]
