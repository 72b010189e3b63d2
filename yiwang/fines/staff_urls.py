from django.urls import path

from yiwang.fines import staff_views

app_name = "fines_staff"
urlpatterns = [
    path("", staff_views.cases, name="cases"),
    path("find", staff_views.find, name="find"),
    path("new", staff_views.new_case, name="new"),
    path("photos/<int:photo_id>", staff_views.photo, name="photo"),
    path("<int:case_id>/", staff_views.case_page, name="case"),
    path("<int:case_id>/decision.pdf", staff_views.decision_pdf, name="decision_pdf"),
    path("<int:case_id>/<slug:name>", staff_views.step, name="step"),
]
