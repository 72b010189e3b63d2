from django.urls import path

from yiwang.disclosure import staff_views

app_name = "disclosure_staff"
urlpatterns = [
    path("", staff_views.information_list, name="list"),
    path("new", staff_views.new, name="new"),
    path("<int:information_id>/", staff_views.information_page, name="information"),
    path("<int:information_id>/edit", staff_views.edit, name="edit"),
    path("<int:information_id>/<slug:name>", staff_views.step, name="step"),
]
