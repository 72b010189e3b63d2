from django.urls import path

from yiwang.classifier import views

app_name = "classifier"
urlpatterns = [
    path("", views.classifier_home, name="home"),
    path("versions/<int:version_id>/activate", views.activate, name="activate"),
    path("<str:target>/train", views.train, name="train"),
]
