from django.urls import path

from yiwang.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("read", views.notices_read, name="read"),
]
