from django.urls import path

from yiwang.staff import desk, feedback, moves, views

app_name = "staff"
urlpatterns = [
    path("", desk.desk_home, name="desk"),
    path("department/", desk.department_home, name="department"),
    path("clearance.xlsx", desk.clearance_report, name="clearance_report"),
    path("messages/", views.message_list, name="messages"),
    path("messages/export.csv", views.message_export, name="export"),
    path("messages/export.xlsx", views.message_export_xlsx, name="export_xlsx"),
    path("messages/bulk", moves.bulk_move, name="bulk"),
    path("messages/<str:tracking_number>/", views.message_detail, name="message"),
    path("messages/<str:tracking_number>/reveal", views.message_reveal, name="reveal"),
    path("messages/<str:tracking_number>/note", views.message_note, name="note"),
    path("messages/<str:tracking_number>/move/<slug:action>", moves.message_move, name="move"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("ratings/<int:rating_id>/appeal", feedback.appeal_rating, name="appeal_rating"),
    path("appeals/<int:appeal_id>/decide", feedback.decide_appeal, name="decide_appeal"),
    path("performance/", feedback.performance, name="performance"),
]
