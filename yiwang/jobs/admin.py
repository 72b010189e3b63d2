from django.contrib import admin

from yiwang.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin[JobRun]):
    list_display = ["job", "slot", "enqueued", "created_at"]
    list_filter = ["job", "enqueued"]
