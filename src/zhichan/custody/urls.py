from django.urls import path

from zhichan.custody import views

app_name = "custody"
urlpatterns = [
    path("", views.custody_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/calendar/", views.calendar, name="calendar"),
    path("<int:pk>/action/", views.record_action, name="action"),
    path("<int:pk>/rights/", views.edit_rights, name="rights"),
    path("<int:pk>/contacts/", views.edit_contacts, name="contacts"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/token/", views.rotate_token, name="rotate_token"),
    path("<int:pk>/report/<int:year>.<str:fmt>", views.report, name="report"),
    path("<int:pk>/actions/<int:action_id>/evidence", views.evidence, name="evidence"),
    path("feed/<str:token>.ics", views.ical_feed, name="feed"),
]
