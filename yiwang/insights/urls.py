from django.urls import path

from yiwang.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.briefing_page, name="briefing"),
    path("briefing.<str:fmt>", views.briefing_download, name="download"),
    path("topics/<int:topic_id>/", views.topic_page, name="topic"),
]
