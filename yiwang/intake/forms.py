"""The public forms. Field rules live in ``validation``; these only carry the widgets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiwang.intake.models import Nature
from yiwang.intake.validation import NAME_LIMIT, TITLE_LIMIT, WEB_CONTENT_LIMIT
from yiwang.orgs.models import Region
from yiwang.taxonomy.models import Theme


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return list(files)


def region_choices() -> list[tuple[str, str | Promise]]:
    regions = Region.objects.select_related("parent").order_by("code")
    return [("", _("Choose a region"))] + [
        (r.code, f"{r.parent.name_zh} {r.name_zh}" if r.parent else r.name_zh) for r in regions
    ]


def theme_choices() -> list[tuple[str, str | Promise]]:
    return [("", _("No particular theme"))] + [
        (t.code, t.name_zh) for t in Theme.objects.filter(is_active=True)
    ]


class SubmitForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_LIMIT * 2)
    content = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": WEB_CONTENT_LIMIT}),
        max_length=WEB_CONTENT_LIMIT * 2,
        help_text=_("At most 4,000 characters. Please do not write your ID number here."),
    )
    nature = forms.ChoiceField(label=_("Nature"), choices=Nature.choices)
    region = forms.ChoiceField(label=_("Region"), choices=())
    theme = forms.ChoiceField(label=_("Theme"), choices=(), required=False)
    contact_name = forms.CharField(label=_("Name"), max_length=NAME_LIMIT * 2, required=False)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
    )
    consent_publish = forms.BooleanField(
        label=_("I agree that my message and its reply may be published without my personal data"),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 images or PDF files, at most 10 MB each."),
    )
    # A field people never see; software that fills every field gives itself away. Out of the
    # tab order and never autofilled, so keyboard users and password managers do not trip it.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    # Optional: a page without it (an old copy, a hand-made form) still sends, under a new token.
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set when the citizen came by a service hall's QR code or a campaign's page; checked
    # again on sending (yiwang/channels/attribution.py), never trusted as they come.
    hall_ref = forms.CharField(widget=forms.HiddenInput, required=False)
    campaign = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        region, theme = self.fields["region"], self.fields["theme"]
        assert isinstance(region, forms.ChoiceField)
        assert isinstance(theme, forms.ChoiceField)
        region.choices = region_choices()
        theme.choices = theme_choices()


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    query_code = forms.CharField(
        label=_("Query code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
