"""The periodic jobs of the platform. Later issues add their reminders and reports here."""

from __future__ import annotations

from dataclasses import dataclass

from django_tasks.base import Task


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str  # minute hour day month weekday, in the site's time zone
    task_path: str  # "module.attr" of a task taking the slot as an ISO string
    # True: every missed slot runs (a daily report per day). False: missed slots are recorded
    # and folded into the latest one (a sweep needs to run once, not once per missed slot).
    catch_up: bool = False


JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("sweep_stale_tasks", "*/5 * * * *", "yiwang.jobs.tasks.sweep_stale_tasks"),
    PeriodicJob("prune_finished_tasks", "30 3 * * *", "yiwang.jobs.tasks.prune_finished_tasks"),
    PeriodicJob("supervise_deadlines", "*/15 * * * *", "yiwang.casework.tasks.supervise_deadlines"),
    PeriodicJob("retry_undelivered", "*/5 * * * *", "yiwang.notify.tasks.retry_undelivered"),
    PeriodicJob(
        "refresh_search_statistics", "40 2 * * *", "yiwang.search.tasks.refresh_statistics"
    ),
    PeriodicJob("hot_topics", "5 * * * *", "yiwang.insights.tasks.compute_topics"),
    PeriodicJob("retrain_classifiers", "10 * * * *", "yiwang.classifier.tasks.retrain_when_due"),
    PeriodicJob(
        "prune_refused_hall_references", "50 3 * * *", "yiwang.channels.tasks.prune_rejections"
    ),
    PeriodicJob("expire_payments", "*/5 * * * *", "yiwang.payments.tasks.expire_payments"),
    PeriodicJob(
        "resolve_silent_payments", "*/5 * * * *", "yiwang.payments.tasks.resolve_silent_payments"
    ),
    PeriodicJob("retry_payment_webhooks", "* * * * *", "yiwang.payments.tasks.retry_webhooks"),
    # The providers publish the day before's statement by about 10:00 (Beijing time).
    PeriodicJob(
        "reconcile_payments",
        "30 10 * * *",
        "yiwang.payments.reconciliation.tasks.reconcile_yesterday",
        catch_up=True,
    ),
    # Scheduled government information goes public within a minute of its time.
    # Information requests: reminders 5 and 2 working days before the answer is due.
    PeriodicJob(
        "remind_information_requests",
        "30 8 * * *",
        "yiwang.disclosure.request_reminders.remind_requests",
    ),
    # The annual report: the heads are reminded in January and in February–March.
    PeriodicJob(
        "remind_annual_reports",
        "0 9 * * *",
        "yiwang.disclosure.report_reminders.remind_annual_reports",
    ),
    # Requests whose correction did not come in time lapse the next morning.
    PeriodicJob(
        "lapse_information_requests", "15 0 * * *", "yiwang.disclosure.tasks.lapse_requests"
    ),
    PeriodicJob(
        "publish_scheduled_information", "* * * * *", "yiwang.disclosure.tasks.publish_scheduled"
    ),
    # Kept information pages of an older release are rendered again (page_cache.py).
    PeriodicJob(
        "refresh_information_pages", "*/10 * * * *", "yiwang.disclosure.tasks.refresh_pages"
    ),
)


def task_for(job: PeriodicJob) -> Task[[str], object]:
    from django.utils.module_loading import import_string

    task: Task[[str], object] = import_string(job.task_path)
    return task
