"""The disclosure officers' forms: widgets and parsing; the rules (dates in order, a reason
for what is not disclosed, who may do what) stay in ``actions.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.disclosure.actions import Content, open_topics
from yiwang.disclosure.models import (
    Attribute,
    Category,
    InfoKind,
    Information,
    OpennessType,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class ContentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=InfoKind.choices)
    category = forms.ChoiceField(label=_("Category (Art. 20)"), choices=Category.choices)
    openness = forms.ChoiceField(label=_("Openness type"), choices=OpennessType.choices)
    attribute = forms.ChoiceField(
        label=_("Disclosure attribute"), choices=Attribute.choices, initial=Attribute.PROACTIVE
    )
    withheld_reason = forms.CharField(
        label=_("Reason for not disclosing"),
        max_length=500,
        required=False,
        help_text=_("Required when the information is not disclosed."),
    )
    doc_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    generated_on = forms.DateField(label=_("Generated on"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE, required=False)
    interprets = forms.ModelChoiceField(
        label=_("Interprets"),
        queryset=Information.objects.none(),
        required=False,
        help_text=_("For a policy interpretation: the document it interprets."),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Information.objects.none(),
        required=False,
        help_text=_("The topic (专题) whose page lists this information, if any."),
    )
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea, required=False, max_length=200_000
    )
    title_en = forms.CharField(label=_("English title"), max_length=300, required=False)
    summary_en = forms.CharField(label=_("English summary"), max_length=1000, required=False)
    text_en = forms.CharField(
        label=_("English text"), widget=forms.Textarea, required=False, max_length=200_000
    )

    def __init__(self, *args: Any, body_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = Information.objects.filter(body_id=body_id).exclude(
            kind=InfoKind.INTERPRETATION
        )
        field = self.fields["interprets"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = documents.order_by("-generated_on", "-pk")
        topics = self.fields["topic"]
        assert isinstance(topics, forms.ModelChoiceField)
        topics.queryset = open_topics(body_id).order_by("-generated_on", "-pk")

    def content(self, repealed_on: dt.date | None = None) -> Content:
        data = self.cleaned_data
        interprets, topic = data["interprets"], data["topic"]
        return Content(
            kind=data["kind"],
            category=data["category"],
            openness=data["openness"],
            attribute=data["attribute"],
            title=data["title"].strip(),
            generated_on=data["generated_on"],
            withheld_reason=data["withheld_reason"].strip(),
            doc_number=data["doc_number"].strip(),
            summary=data["summary"].strip(),
            text=data["text"],
            title_en=data["title_en"].strip(),
            summary_en=data["summary_en"].strip(),
            text_en=data["text_en"],
            interprets_id=interprets.pk if interprets is not None else None,
            topic_id=topic.pk if topic is not None else None,
            valid_until=data["valid_until"],
            repealed_on=repealed_on,
        )

    @classmethod
    def initial_of(cls, information: Information) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name not in ("interprets", "topic")]
        initial = {name: getattr(information, name) for name in names}
        initial["interprets"] = information.interprets_id
        initial["topic"] = information.topic_id
        return initial


class NewForm(ContentForm):
    index_no = forms.CharField(
        label=_("Index number"),
        max_length=32,
        required=False,
        help_text=_(
            "Leave empty for the next number; fill in only for information numbered elsewhere."
        ),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("What should change"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ApproveForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Leave empty to publish on approval."),
    )

    def clean_publish_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data["publish_at"]
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future, or leave it empty."))
        return value


class RevisionNoteForm(forms.Form):
    revision_note = forms.CharField(label=_("What changed"), max_length=500, required=False)


class RepealForm(forms.Form):
    on = forms.DateField(label=_("Repealed on"), widget=DATE, initial=timezone.localdate)
