"""The finance page (mounted at ``staff/finance/`` inside the language prefix)."""

from django.urls import path

from yiwang.payments.reconciliation import views

app_name = "reconciliation"
urlpatterns = [
    path("reconciliation/", views.runs, name="runs"),
    path("reconciliation/run/", views.rerun, name="rerun"),
    path("reconciliation/<int:run_id>/", views.run, name="run"),
    path("reconciliation/<int:run_id>/export.xlsx", views.run_export, name="export"),
]
