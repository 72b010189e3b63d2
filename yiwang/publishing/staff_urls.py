from django.urls import path

from yiwang.publishing import staff_views as views

app_name = "publishing_staff"
urlpatterns = [
    path("", views.publication_queue, name="queue"),
    path("<int:pk>/", views.publication_editor, name="editor"),
    path("<int:pk>/save", views.publication_save, name="save"),
    path("<int:pk>/<slug:step>", views.publication_step, name="step"),
    path("propose/<str:tracking_number>", views.propose, name="propose"),
]
