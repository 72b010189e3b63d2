from django.urls import path

from yiwang.fines import views

app_name = "fines"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("<str:number>/", views.case_page, name="case"),
    path("<str:number>/pay", views.pay, name="pay"),
    path("<str:number>/paid", views.returned, name="returned"),
    path("<str:number>/decision.pdf", views.decision_pdf, name="decision_pdf"),
    path("<str:number>/slip.pdf", views.slip_pdf, name="slip_pdf"),
]
