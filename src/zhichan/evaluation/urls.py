from django.urls import path

from zhichan.evaluation import views
from zhichan.evaluation.scorecards.urls import urlpatterns as scorecard_urls

app_name = "evaluation"
urlpatterns: list = [
    *scorecard_urls,
    # Dashboards, the drill-down to records, the public open figures.
    path("", views.overview, name="overview"),
    path("overview/data/", views.overview_data, name="overview_data"),
    path("county/<int:pk>/", views.county, name="county"),
    path("park/<int:pk>/", views.park, name="park"),
    path("agency/<int:pk>/", views.agency, name="agency"),
    path("drilldown/", views.drilldown_page, name="drilldown"),
    path("open/", views.open_page, name="open"),
    # Rectification notices.
    path("rectification/", views.notice_list, name="rectification_list"),
    path("rectification/new/", views.notice_create, name="rectification_create"),
    path("rectification/<int:pk>/", views.notice_detail, name="rectification_detail"),
    path("rectification/<int:pk>/respond/", views.notice_respond, name="rectification_respond"),
    path("rectification/<int:pk>/review/", views.notice_review, name="rectification_review"),
    path("rectification/<int:pk>/files/<int:file_id>/", views.notice_file, name="rectification_file"),
]
