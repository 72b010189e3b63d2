from django.urls import path

from yiwang.intake import tracking, views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("track/<str:number>/", tracking.tracked, name="tracked"),
    path("track/<str:number>/rate", tracking.rate, name="rate"),
    path("track/<str:number>/appeal", tracking.appeal, name="appeal"),
    path("themes/<slug:code>/", views.theme, name="theme"),
]
