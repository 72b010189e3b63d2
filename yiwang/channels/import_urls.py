from django.urls import path

from yiwang.channels import import_views as views

app_name = "channel_imports"
urlpatterns = [
    path("", views.import_home, name="imports"),
    path("<int:run_id>/mapping", views.import_mapping, name="import_mapping"),
    path("<int:run_id>/", views.import_run, name="import_run"),
    path("<int:run_id>/again", views.import_again, name="import_again"),
]
