"""Scorecard pages, added to the evaluation app's URLs (namespace "evaluation")."""

from django.urls import path

from zhichan.evaluation.scorecards import views

urlpatterns = [
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_edit, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("scorecards/", views.scorecard_list, name="scorecards"),
    path("scorecards/new/", views.scorecard_edit, name="scorecard_create"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard"),
    path("scorecards/<int:pk>/edit/", views.scorecard_edit, name="scorecard_edit"),
    path("scorecards/<int:pk>/run/", views.scorecard_run, name="scorecard_run"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/findings/", views.run_findings, name="run_findings"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("runs/<int:pk>/report.<str:fmt>", views.run_report, name="run_report"),
    path("runs/<int:pk>/rows/<int:result_pk>/<slug:code>/", views.run_drilldown, name="run_drilldown"),
    path("values/", views.value_list, name="manual_values"),
    path("values/new/", views.value_new, name="manual_new"),
    path("values/review/", views.review_queue, name="manual_queue"),
    path("values/<int:pk>/", views.value_detail, name="manual_detail"),
    path("values/<int:pk>/review/", views.value_review, name="manual_review"),
    path("values/<int:pk>/evidence/<int:file_id>/", views.value_evidence, name="manual_evidence"),
]
