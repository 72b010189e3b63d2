"""The information-request forms: the public one (identity, contact, what is asked for, the
form wanted) and the office's step forms. The rules of the clock stay in
``request_actions.py``; a form checks what it can tell alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.catalogue.codes import credit_code_problem
from yiwang.disclosure.models import ApplicantKind, Delivery, PauseKind, ReplyType
from yiwang.disclosure.request_actions import MAX_DESCRIPTION, RequestInput
from yiwang.lib.contact import (
    InvalidContact,
    normalize_email,
    normalize_id_number,
    normalize_mobile,
)
from yiwang.orgs.models import Department

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(forms.Form):
    body = forms.ModelChoiceField(
        label=gettext_lazy("Body asked"),
        queryset=Department.objects.filter(is_active=True).order_by("name_zh"),
    )
    applicant_kind = forms.ChoiceField(
        label=gettext_lazy("You are"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON
    )
    applicant_name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    identifier = forms.CharField(
        label=gettext_lazy("Identity card number or unified social credit code"),
        max_length=40,
        help_text=gettext_lazy("A person gives the ID card number; an organisation its code."),
    )
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20, required=False)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    address = forms.CharField(label=gettext_lazy("Postal address"), max_length=200, required=False)
    description = forms.CharField(
        label=gettext_lazy("The information you ask for"),
        widget=forms.Textarea,
        max_length=MAX_DESCRIPTION,
        help_text=gettext_lazy(
            "Its title or document number if you know them, or a description precise enough "
            "to find it."
        ),
    )
    delivery = forms.ChoiceField(
        label=gettext_lazy("How you want it"), choices=Delivery.choices, initial=Delivery.EMAIL
    )

    def clean_identifier(self) -> str:
        raw = "".join(self.cleaned_data["identifier"].split()).upper()
        if self.data.get("applicant_kind", ApplicantKind.PERSON) == ApplicantKind.PERSON:
            try:
                return normalize_id_number(raw)
            except InvalidContact as exc:
                raise forms.ValidationError(
                    _("Enter a valid 18-character resident identity card number.")
                ) from exc
        problem = credit_code_problem(raw)
        if problem:
            raise forms.ValidationError(problem)
        return raw

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        try:
            return normalize_mobile(raw) if raw else ""
        except InvalidContact as exc:
            raise forms.ValidationError(_("Enter an 11-digit mobile number.")) from exc

    def clean_email(self) -> str:
        raw = self.cleaned_data["email"].strip()
        try:
            return normalize_email(raw) if raw else ""
        except InvalidContact as exc:
            raise forms.ValidationError(_("Enter a valid e-mail address.")) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("phone") or data.get("email")):
            self.add_error("phone", _("Give a mobile phone or an e-mail address to reach you."))
        if (
            data.get("delivery") == Delivery.EMAIL
            and not data.get("email")
            and "email" not in self.errors
        ):
            self.add_error("email", _("Give the e-mail address to send it to."))
        if data.get("delivery") == Delivery.PAPER and not data.get("address"):
            self.add_error("address", _("Give the address to post it to."))
        return data

    def request_input(self, language: str) -> RequestInput:
        data = self.cleaned_data
        return RequestInput(
            applicant_kind=data["applicant_kind"],
            applicant_name=" ".join(data["applicant_name"].split()),
            identifier=data["identifier"],
            description=data["description"].replace("\x00", "").strip(),
            delivery=data["delivery"],
            phone=data["phone"],
            email=data["email"],
            address=" ".join(data["address"].split()),
            language=language,
        )


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, initial=timezone.localdate)


class DayForm(forms.Form):
    on = _date_field(gettext_lazy("On"))


class CorrectionForm(forms.Form):
    on = _date_field(gettext_lazy("Asked on"))
    due = forms.DateField(label=gettext_lazy("To be corrected by"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("What to correct"), max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        on, due = data.get("on"), data.get("due")
        if isinstance(on, dt.date) and isinstance(due, dt.date) and due < on:
            self.add_error("due", _("The day to correct by is before the day it was asked."))
        return data


class ExtensionForm(forms.Form):
    on = _date_field(gettext_lazy("Approved on"))
    days = forms.IntegerField(label=gettext_lazy("Working days"), min_value=1, max_value=20)


class PauseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Consulting"), choices=PauseKind.choices)
    on = _date_field(gettext_lazy("From"))


class AnswerForm(forms.Form):
    reply_type = forms.ChoiceField(label=gettext_lazy("Answer"), choices=ReplyType.choices)
    partial = forms.BooleanField(label=gettext_lazy("Disclosed in part"), required=False)
    text = forms.CharField(
        label=gettext_lazy("The answer"), widget=forms.Textarea, max_length=20_000
    )
    on = _date_field(gettext_lazy("Answered on"))
