from django.urls import path

from yiwang.channels import staff_views as views

app_name = "channels_staff"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<slug:slug>/", views.campaign_figures_page, name="campaign"),
    path("campaigns/<slug:slug>/figures.xlsx", views.campaign_figures_xlsx, name="campaign_xlsx"),
    path("halls/", views.hall_list, name="halls"),
    path("halls/posters/<str:region_code>.zip", views.region_posters, name="region_posters"),
    path("halls/<str:code>/qr/", views.hall_qr, name="hall_qr"),
    path("halls/<str:code>/qr.png", views.hall_qr_png, name="hall_qr_png"),
    path("halls/<str:code>/poster.pdf", views.hall_poster_pdf, name="hall_poster"),
    path("halls/<str:code>/revoke", views.hall_revoke, name="hall_revoke"),
]
