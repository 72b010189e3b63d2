from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.fines.numbers import (
    is_decision_number,
    is_plate,
    normalize_decision_number,
    normalize_plate,
)


class DecisionNumberField(forms.CharField):
    """16 digits with a Luhn check digit; printed forms (spaces, dashes, full-width digits)
    are read as digits, and a typing error is named before any look-up."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Decision number"))
        kwargs.setdefault("help_text", _("The 16 digits on the decision (处罚决定书)."))
        attrs = {"inputmode": "numeric", "autocomplete": "off"}
        super().__init__(max_length=40, widget=forms.TextInput(attrs=attrs), **kwargs)

    def clean(self, value: Any) -> str:
        number = normalize_decision_number(str(super().clean(value)))
        if len(number) != 16 or not number.isdigit():
            raise forms.ValidationError(_("A decision number has 16 digits."))
        if not is_decision_number(number):
            raise forms.ValidationError(
                _("This decision number has a typing error (its check digit does not match).")
            )
        return number


class LookupForm(forms.Form):
    decision_number = DecisionNumberField()
    plate = forms.CharField(
        label=_("Number plate"),
        max_length=20,
        help_text=_("For example 浙A12345."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_plate(self) -> str:
        plate = normalize_plate(self.cleaned_data["plate"])
        if not is_plate(plate):
            raise forms.ValidationError(
                _("This is not a Chinese number plate (for example 浙A12345).")
            )
        return plate
