from django.urls import path

from yiwang.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("<str:code>/", views.guide_page, name="guide"),
]
