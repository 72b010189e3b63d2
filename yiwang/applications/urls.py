from django.urls import path

from yiwang.applications import tracking, views

app_name = "applications"
urlpatterns = [
    path("services/<str:code>/apply/", views.apply, name="apply"),
    path("applications/status/", tracking.status, name="status"),
    path("applications/status/<str:number>/", tracking.tracked, name="tracked"),
    path("applications/status/<str:number>/correction", tracking.correct, name="correct"),
    path("applications/status/<str:number>/withdraw", tracking.withdraw, name="withdraw"),
    path("applications/status/<str:number>/rate", tracking.rate, name="rate"),
]
