from django.urls import path

from yiwang.disclosure import attachment_views, feeds, request_views, views

app_name = "disclosure"
urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("request/", request_views.request_form, name="request"),
    path("files/<int:attachment_id>/<str:name>", attachment_views.public_file, name="file"),
    path("catalogue.json", views.catalogue_json, name="catalogue_json"),
    path("catalogue.csv", views.catalogue_csv, name="catalogue_csv"),
    path("feeds/all.rss", feeds.CategoryRssFeed(), name="feed_rss"),
    path("feeds/all.atom", feeds.CategoryAtomFeed(), name="feed_atom"),
    path("feeds/<slug:category>.rss", feeds.CategoryRssFeed(), name="category_rss"),
    path("feeds/<slug:category>.atom", feeds.CategoryAtomFeed(), name="category_atom"),
    # Index numbers of other systems may hold a slash: the rest of the path is the number.
    path("info/<path:index_no>/", views.information_page, name="information"),
]
