"""The payer's pages and the providers' notification endpoint, outside the language prefix:
a payment's pages speak the payment's language, and providers post to one fixed address."""

from django.urls import path

from yiwang.payments import views

app_name = "payments"
urlpatterns = [
    path("pay/<str:payment_id>/", views.pay, name="pay"),
    path("return/<str:payment_id>/", views.returned, name="returned"),
    path("notify/<str:provider>/", views.notify, name="notify"),
    path("simulator/<str:trade_no>/", views.simulator, name="simulator"),
]
