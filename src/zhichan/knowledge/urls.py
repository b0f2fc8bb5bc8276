from django.urls import path

from zhichan.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("knowledge/", views.index, name="index"),
    path("knowledge/laws/<int:pk>/", views.law, name="law"),
    path("knowledge/articles/<int:pk>/", views.article, name="article"),
    path("knowledge/policies/<int:pk>/", views.policy, name="policy"),
    path("knowledge/qa/<int:pk>/", views.qa, name="qa"),
    path("knowledge/manage/", views.manage, name="manage"),
    path("knowledge/manage/policies/new/", views.policy_edit, name="policy_create"),
    path("knowledge/manage/policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("knowledge/manage/qa/new/", views.qa_edit, name="qa_create"),
    path("knowledge/manage/qa/<int:pk>/", views.qa_edit, name="qa_edit"),
    path("knowledge/manage/unanswered/", views.unanswered, name="unanswered"),
    path("hotline/", views.console, name="console"),
    path("hotline/results/", views.console_results, name="console_results"),
    path("hotline/record/", views.console_record, name="console_record"),
]
