"""Government information (政府信息) and its disclosure (issue 9, ``README.md`` here).

An ``Information`` is one document, interpretation, news item, topic, picture or video of an
issuing body, with the catalogue's fields: index number (索引号), name, summary, generated on
(生成日期), plus the document number (文号), the disclosure attribute decided at drafting, the
five-openness type and the Art. 20 category. Every change of its content is a ``Revision``;
every step (drafted, submitted, approved, published, withdrawn …) is an ``InformationEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InfoKind(models.TextChoices):
    POLICY = "policy", _("Policy document")
    REGULATION = "regulation", _("Regulation or rule")
    NOTICE = "notice", _("Notice")
    PLAN = "plan", _("Plan")
    STATISTICS = "statistics", _("Statistics")
    INTERPRETATION = "interpretation", _("Policy interpretation")
    NEWS = "news", _("News")
    TOPIC = "topic", _("Topic")
    PICTURE = "picture", _("Pictures")
    VIDEO = "video", _("Video")


class Attribute(models.TextChoices):
    """The disclosure attribute, set when the information is drafted (公开属性)."""

    PROACTIVE = "proactive", _("Proactively disclosed")  # 主动公开
    ON_REQUEST = "on_request", _("Disclosed on request")  # 依申请公开
    WITHHELD = "withheld", _("Not disclosed")  # 不予公开 (with a reason)


class OpennessType(models.TextChoices):
    """The five kinds of openness (五公开)."""

    DECISION = "decision", _("Decision-making")  # 决策公开
    EXECUTION = "execution", _("Execution")  # 执行公开
    MANAGEMENT = "management", _("Management")  # 管理公开
    SERVICE = "service", _("Services")  # 服务公开
    RESULT = "result", _("Results")  # 结果公开


class Category(models.TextChoices):
    """The fifteen categories of proactive disclosure, in the order of Art. 20 (2019)."""

    RULES = "rules", _("Regulations, rules and normative documents")
    ORGANISATION = "organisation", _("Functions, structure and contacts")
    PLANS = "plans", _("Development plans and related policies")
    STATISTICS = "statistics", _("Statistics")
    LICENSING = "licensing", _("Licensing and other services")
    ENFORCEMENT = "enforcement", _("Penalties and enforcement")
    BUDGETS = "budgets", _("Budgets and final accounts")
    FEES = "fees", _("Administrative fees")
    PROCUREMENT = "procurement", _("Government procurement")
    PROJECTS = "projects", _("Major construction projects")
    WELFARE = "welfare", _("Poverty relief, education, health, social security and employment")
    EMERGENCIES = "emergencies", _("Emergency plans, warnings and responses")
    INSPECTIONS = "inspections", _("Inspections of environment, health, safety and quality")
    RECRUITMENT = "recruitment", _("Civil-service recruitment")
    OTHER = "other", _("Other information required by law")


class InfoState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    FILED = "filed", _("Filed, not published")  # approved information not proactively disclosed
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Information(models.Model):
    index_no = models.CharField(_("index number"), max_length=32, unique=True)
    body = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("issuing body"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InfoKind.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    openness = models.CharField(_("openness type"), max_length=16, choices=OpennessType.choices)
    attribute = models.CharField(_("disclosure attribute"), max_length=16, choices=Attribute)
    withheld_reason = models.CharField(_("reason for not disclosing"), max_length=500, blank=True)
    doc_number = models.CharField(_("document number"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    summary_en = models.CharField(_("English summary"), max_length=1000, blank=True)
    text_en = models.TextField(_("English text"), blank=True)
    interprets = models.ForeignKey(
        "self",
        verbose_name=_("interprets"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interpretations",
    )
    # A topic (专题) gathers information of every body: the topic's page lists its items.
    topic = models.ForeignKey(
        "self",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topic_items",
    )
    generated_on = models.DateField(_("generated on"))
    changed_on = models.DateField(_("last changed on"))  # content: the 20 working days run
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    repealed_on = models.DateField(_("repealed on"), null=True, blank=True)
    publish_at = models.DateTimeField(_("to be published at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=InfoState.choices)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("government information")
        verbose_name_plural = _("government information")
        indexes = [
            # The public catalogue: newest published first, filtered by body or category.
            models.Index(fields=["state", "-published_at"], name="info_state_newest"),
            models.Index(fields=["body", "state", "-published_at"], name="info_body_newest"),
            models.Index(fields=["category", "state", "-published_at"], name="info_cat_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                name="info_withheld_has_reason",
                condition=~models.Q(attribute="withheld") | ~models.Q(withheld_reason=""),
            ),
            models.CheckConstraint(
                name="info_valid_after_generated",
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("generated_on")),
            ),
            models.CheckConstraint(
                name="info_repealed_after_generated",
                condition=models.Q(repealed_on__isnull=True)
                | models.Q(repealed_on__gte=models.F("generated_on")),
            ),
            models.CheckConstraint(
                name="info_published_is_proactive",
                condition=~models.Q(state="published") | models.Q(attribute="proactive"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.index_no} {self.title}"

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title

    @property
    def has_english(self) -> bool:
        return bool(self.title_en and (self.text_en or not self.text))


class IndexSequence(models.Model):
    """The last index number a body used in a year."""

    body = models.ForeignKey("orgs.Department", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="index_sequence_once")]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.year}: {self.last_value}"


class Revision(models.Model):
    """The content of one version, kept whole: the history shows what changed and when."""

    information = models.ForeignKey(Information, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["information", "number"], name="revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.information_id} r{self.number}"


class EventKind(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    REVISED = "revised", _("Revised")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned to the drafter")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPEALED = "repealed", _("Repealed")


class InformationEvent(models.Model):
    information = models.ForeignKey(Information, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )  # None: the scheduler
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.information_id} {self.kind}"


# --- Information requests (依申请公开) ---------------------------------------------------------


class ApplicantKind(models.TextChoices):
    """The applicant columns of the annual report's table 3."""

    PERSON = "person", _("Natural person")  # 自然人
    BUSINESS = "business", _("Commercial enterprise")  # 商业企业
    RESEARCH = "research", _("Research institution")  # 科研机构
    NONPROFIT = "nonprofit", _("Public-interest organisation")  # 社会公益组织
    LEGAL = "legal", _("Legal services institution")  # 法律服务机构
    OTHER = "other", _("Other")  # 其他


class RequestChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")
    FAX = "fax", _("By fax")


class Delivery(models.TextChoices):
    """The form in which the applicant wants the information."""

    PAPER = "paper", _("On paper")
    EMAIL = "email", _("By e-mail")
    DOWNLOAD = "download", _("As a download")


class RequestState(models.TextChoices):
    AWAITING_RECEIPT = "awaiting_receipt", _("Awaiting confirmation of receipt")
    RUNNING = "running", _("Being handled")
    AWAITING_CORRECTION = "awaiting_correction", _("Awaiting the applicant's correction")
    LAPSED = "lapsed", _("Lapsed (no correction)")
    ANSWERED = "answered", _("Answered")


class ReplyType(models.TextChoices):
    """The seven kinds of answer (Art. 36)."""

    ALREADY_PUBLIC = "already_public", _("Already proactively disclosed: where to find it")
    DISCLOSED = "disclosed", _("Disclosed")
    NOT_DISCLOSED = "not_disclosed", _("Not disclosed, with the reason")
    DOES_NOT_EXIST = "does_not_exist", _("The information does not exist")
    OTHER_BODY = "other_body", _("Not this body's to disclose")
    REPEATED = "repeated", _("A repeated request, already answered")
    OTHER_ROUTE = "other_route", _("Available through its own legal route")


class PauseKind(models.TextChoices):
    THIRD_PARTY = "third_party", _("Consulting a third party")
    OTHER_BODY = "other_body", _("Consulting other bodies")


class InformationRequest(models.Model):
    number = models.CharField(_("request number"), max_length=32, unique=True)
    body = models.ForeignKey(
        "orgs.Department", verbose_name=_("body asked"), on_delete=models.PROTECT, related_name="+"
    )
    applicant_kind = models.CharField(_("applicant"), max_length=16, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("name"), max_length=100)
    # The ID number or credit code, the phone, e-mail and address: encrypted with the site's
    # key ring (``intake.personal``); the hash finds an applicant's earlier requests.
    identifier_encrypted = models.TextField()
    identifier_hash = models.CharField(max_length=64, db_index=True)
    phone_encrypted = models.TextField(blank=True)
    email_encrypted = models.TextField(blank=True)
    address_encrypted = models.TextField(blank=True)
    description = models.TextField(_("information asked for"))
    delivery = models.CharField(_("form wanted"), max_length=16, choices=Delivery.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=RequestChannel.choices)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    submitted_at = models.DateTimeField(_("submitted at"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=24, choices=RequestState.choices)
    correction_asked_on = models.DateField(_("correction asked on"), null=True, blank=True)
    correction_due = models.DateField(_("correction due"), null=True, blank=True)
    correction_note = models.TextField(_("what to correct"), blank=True)
    correction_received_on = models.DateField(_("correction received on"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_approved_on = models.DateField(_("extension approved on"), null=True, blank=True)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reply_type = models.CharField(_("reply"), max_length=16, choices=ReplyType.choices, blank=True)
    partial = models.BooleanField(_("partly disclosed"), default=False)
    reply_text = models.TextField(_("reply text"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        indexes = [models.Index(fields=["body", "state"], name="request_body_state")]

    def __str__(self) -> str:
        return self.number


class RequestPause(models.Model):
    """Consultation time that the answer period does not count (Art. 32, 33)."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("kind"), max_length=16, choices=PauseKind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.started_on}"


class RequestEvent(models.Model):
    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


# --- The annual report (政府信息公开工作年度报告) ----------------------------------------------


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class AnnualReport(models.Model):
    """One body's annual report on disclosure for one year (``annual_report.py``).

    ``figures`` holds what staff entered: the figures that come from outside the system and
    the results of table 3 they split by hand (a cell only where it differs from our data).
    Once final, ``tables`` holds the three tables as they were then: the report no longer
    moves when the data behind it does.
    """

    body = models.ForeignKey(
        "orgs.Department", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=8, choices=ReportState.choices, default=ReportState.DRAFT
    )
    figures = models.JSONField(_("figures entered"), default=dict, blank=True)
    tables = models.JSONField(_("tables as made final"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finalised_at = models.DateTimeField(_("made final at"), null=True, blank=True)
    # Each time a final report was reopened to be corrected: its tables as they had been made
    # final, by whom and when, and who reopened it, when and why (``do_reopen_report``).
    earlier = models.JSONField(_("earlier final versions"), default=list, blank=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="annual_report_once"),
            models.CheckConstraint(
                name="annual_report_final_when_finalised",
                condition=~models.Q(state="final") | models.Q(finalised_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.year} {self.state}"


# --- Attachments: document files, pictures and video -------------------------------------------


class AttachmentKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    PICTURE = "picture", _("Picture")
    VIDEO = "video", _("Video")


class Attachment(models.Model):
    """A file published with an information: its PDF, pictures, or a video. Checked by its
    content when it is added (``attachment_actions.py``); public exactly when the information
    is."""

    information = models.ForeignKey(
        Information, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    caption_en = models.CharField(_("English caption"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["information", "sha256"], name="attachment_once_per_information"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PublishedPage(models.Model):
    """An information's public page as anonymous readers get it, rendered when it changed
    (静态发布) and served from here without rendering (``page_cache.py``, decision 0038)."""

    information = models.ForeignKey(Information, on_delete=models.CASCADE, related_name="+")
    # The page's address: what the front looks it up by (the index number never changes).
    index_no = models.CharField(_("index number"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    status = models.PositiveSmallIntegerField(_("status"))
    # With a placeholder where each reader's CSRF token goes.
    html = models.TextField(_("page"))
    # The templates, translations and static files it was rendered with (``page_cache``).
    version = models.CharField(_("version"), max_length=16)
    rendered_at = models.DateTimeField(_("rendered at"))

    class Meta:
        verbose_name = _("published page")
        verbose_name_plural = _("published pages")
        constraints = [
            models.UniqueConstraint(fields=["index_no", "language"], name="one_page_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.index_no} ({self.language})"
