from django.urls import path

from zhichan.ipdata import views

app_name = "ipdata"
urlpatterns = [
    path("industries/", views.industries, name="industries"),
    path("industries/new/", views.industry_create, name="industry_create"),
    path("industries/<int:pk>/", views.industry, name="industry"),
    path("industries/<int:pk>/edit/", views.industry_edit, name="industry_edit"),
    path("industries/<int:pk>/delete/", views.industry_delete, name="industry_delete"),
    path("industries/<int:pk>/export.xlsx", views.industry_export, name="industry_export"),
    path("industries/<int:pk>/report/", views.request_report, name="request_report"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/progress/", views.report_progress, name="report_progress"),
    path("reports/<int:pk>/download/<str:kind>/", views.report_download, name="report_download"),
]
