from django.urls import path

from zhichan.ipdata import industry_views, search_views, views

app_name = "ipdata"
urlpatterns = [
    path("search/", search_views.search, name="search"),
    path("search/export.xlsx", search_views.export, name="search_export"),
    path("search/statistics/", search_views.statistics, name="search_statistics"),
    path("search/statistics/export.xlsx", search_views.statistics_export, name="search_statistics_export"),
    path("open/statistics.csv", search_views.open_statistics_csv, name="open_statistics_csv"),
    path("search/saved/", search_views.save_search, name="save_search"),
    path("search/saved/<int:pk>/delete/", search_views.delete_search, name="delete_search"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/rerun/", views.import_rerun, name="import_rerun"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
    path("patents/<str:number>/", views.patent_detail, name="patent"),
    path("trademarks/<str:number>/", views.trademark_detail, name="trademark"),
    path("counties/", views.counties, name="counties"),
    path("counties/<str:code>/", views.county_detail, name="county"),
    path("industries/", industry_views.industries, name="industries"),
    path("industries/new/", industry_views.industry_create, name="industry_create"),
    path("industries/<int:pk>/", industry_views.industry, name="industry"),
    path("industries/<int:pk>/edit/", industry_views.industry_edit, name="industry_edit"),
    path("industries/<int:pk>/delete/", industry_views.industry_delete, name="industry_delete"),
    path("industries/<int:pk>/export.xlsx", industry_views.industry_export, name="industry_export"),
    path("industries/<int:pk>/report/", industry_views.request_report, name="request_report"),
    path("reports/<int:pk>/", industry_views.report, name="report"),
    path("reports/<int:pk>/progress/", industry_views.report_progress, name="report_progress"),
    path("reports/<int:pk>/download/<str:kind>/", industry_views.report_download, name="report_download"),
]
