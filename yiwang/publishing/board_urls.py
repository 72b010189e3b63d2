from django.urls import path

from yiwang.publishing import board_views
from yiwang.publishing.feeds import BoardAtomFeed, BoardRssFeed

app_name = "board"
urlpatterns = [
    path("", board_views.board, name="list"),
    path("<int:pk>/", board_views.entry, name="detail"),
    path("feed/rss.xml", BoardRssFeed(), name="rss"),
    path("feed/atom.xml", BoardAtomFeed(), name="atom"),
]
