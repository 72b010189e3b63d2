from django.urls import path

from yiwang.disclosure import attachment_views, report_views, request_views, staff_views

app_name = "disclosure_staff"
urlpatterns = [
    path("", staff_views.information_list, name="list"),
    path("new", staff_views.new, name="new"),
    path("requests/", request_views.request_list, name="requests"),
    path("requests/<int:request_id>/", request_views.request_page, name="request"),
    path("requests/<int:request_id>/reply.docx", request_views.reply_docx, name="reply_docx"),
    path("requests/<int:request_id>/reply.pdf", request_views.reply_pdf, name="reply_pdf"),
    path("requests/<int:request_id>/<slug:name>", request_views.request_step, name="request_step"),
    path("<int:information_id>/", staff_views.information_page, name="information"),
    path("<int:information_id>/edit", staff_views.edit, name="edit"),
    path("<int:information_id>/attach", attachment_views.attach, name="attach"),
    path(
        "<int:information_id>/files/<int:attachment_id>/remove",
        attachment_views.detach,
        name="detach",
    ),
    path("<int:information_id>/<slug:name>", staff_views.step, name="step"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:year>/", report_views.report_page, name="report"),
    path("reports/<int:year>/finalise", report_views.report_finalise, name="report_finalise"),
    path("reports/<int:year>/reopen", report_views.report_reopen, name="report_reopen"),
    path("reports/<int:year>/report.xlsx", report_views.report_xlsx, name="report_xlsx"),
    path("reports/<int:year>/report.pdf", report_views.report_pdf, name="report_pdf"),
]
