from django.urls import path

from zhichan.providers import views

app_name = "providers"
urlpatterns = [
    path("", views.index, name="index"),
    path("apply/", views.apply, name="apply"),
    path("apply/<str:token>/", views.application_status, name="application_status"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/files/<int:file_id>/", views.evidence_file, name="evidence_file"),
    path("offers/", views.my_offers, name="offers"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/listing/", views.offer_listing, name="offer_listing"),
    path("offers/<int:pk>/apply/", views.offer_apply, name="offer_apply"),
    path("records/", views.records_page, name="records"),
    path("set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
]
