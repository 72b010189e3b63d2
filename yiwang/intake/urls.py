from django.urls import path

from yiwang.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("themes/<slug:code>/", views.theme, name="theme"),
]
