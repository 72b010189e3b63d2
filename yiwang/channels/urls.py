from django.urls import path

from yiwang.channels import views

app_name = "channels"
urlpatterns = [
    path("q/<str:token>", views.scan, name="scan"),
    path("campaigns/<slug:slug>/", views.campaign_intro, name="campaign"),
]
