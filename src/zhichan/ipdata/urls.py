from django.urls import path

from zhichan.ipdata import views

app_name = "ipdata"
urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
    path("patents/<str:number>/", views.patent_detail, name="patent"),
    path("trademarks/<str:number>/", views.trademark_detail, name="trademark"),
    path("counties/", views.counties, name="counties"),
    path("counties/<str:code>/", views.county_detail, name="county"),
]
