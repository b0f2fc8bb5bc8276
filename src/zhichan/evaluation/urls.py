from django.urls import path  # noqa: F401 - the parts add their pages below

from zhichan.evaluation.scorecards.urls import urlpatterns as scorecard_urls

app_name = "evaluation"
urlpatterns: list = [*scorecard_urls]
