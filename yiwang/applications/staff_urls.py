from django.urls import path

from yiwang.applications import staff_views

app_name = "applications_staff"
urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("follow-ups/", staff_views.follow_ups, name="follow_ups"),
    path(
        "follow-ups/<int:follow_up_id>/<slug:step>",
        staff_views.follow_up_step,
        name="follow_up_step",
    ),
    path("materials/<int:material_id>/", staff_views.material, name="material"),
    path("<str:number>/", staff_views.detail, name="detail"),
    path("<str:number>/reveal", staff_views.reveal, name="reveal"),
    path("<str:number>/move/<slug:action>", staff_views.move, name="move"),
]
