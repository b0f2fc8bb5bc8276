from django.urls import path

from zhichan.finance import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("valuation/", views.valuation_page, name="valuation"),
    path("valuation/apply/", views.valuation_apply, name="valuation_apply"),
    path("products/", views.products, name="products"),
    path("products/new/", views.product_edit, name="product_new"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("applications/", views.applications, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/<str:action>/", views.application_action, name="application_action"),
    path("pledges/", views.pledges, name="pledges"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge"),
    path("pledges/<int:pk>/<str:action>/", views.pledge_action, name="pledge_action"),
    path("insurance/", views.policies, name="policies"),
    path("insurance/new/", views.policy_new, name="policy_new"),
    path("insurance/<int:pk>/", views.policy_detail, name="policy"),
    path("insurance/<int:pk>/claim/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/<str:action>/", views.claim_action, name="claim_action"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
]
