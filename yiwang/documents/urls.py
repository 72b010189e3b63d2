from django.urls import path

from yiwang.documents import views

app_name = "documents"
urlpatterns = [
    path(
        "<int:document_id>/download.<slug:fmt>",
        views.document_download,
        name="download",
    ),
    path(
        "messages/<str:tracking_number>/instructions",
        views.instruction_add,
        name="add_instruction",
    ),
]
