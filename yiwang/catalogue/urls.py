from django.urls import path

from yiwang.catalogue import search_views, views

app_name = "catalogue"
urlpatterns = [
    path("", search_views.search_page, name="search"),
    path("suggest", search_views.suggestions, name="suggest"),
    path("<str:code>/", views.guide_page, name="guide"),
]
