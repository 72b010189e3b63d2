from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.documents.actions import INSTRUCTION_LIMIT, NAME_LIMIT, POSITION_LIMIT


class LeaderInstructionForm(forms.Form):
    leader_name = forms.CharField(label=_("Leader's name"), max_length=NAME_LIMIT)
    leader_title = forms.CharField(
        label=_("Leader's position"), max_length=POSITION_LIMIT, required=False
    )
    text = forms.CharField(
        label=_("Instruction"),
        max_length=INSTRUCTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    instructed_on = forms.DateField(
        label=_("Date of the instruction"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
