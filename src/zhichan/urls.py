from django.contrib import admin
from django.urls import include, path

from zhichan.api import api
from zhichan.core.audit_views import audit_log
from zhichan.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("audit/", audit_log, name="audit_log"),
    path("", include("zhichan.portal.urls")),
    path("accounts/", include("zhichan.accounts.urls")),
    path("services/", include("zhichan.catalog.urls")),
    path("network/", include("zhichan.agencies.urls")),
    path("", include("zhichan.cases.urls")),
    path("inbox/", include("zhichan.notices.urls")),
    path("fairs/", include("zhichan.fairs.urls")),
    path("", include("zhichan.knowledge.urls")),
    path("ipdata/", include("zhichan.ipdata.urls")),
    path("enterprises/", include("zhichan.enterprises.urls")),
    path("custody/", include("zhichan.custody.urls")),
    path("watch/", include("zhichan.watch.urls")),
    path("screening/", include("zhichan.screening.urls")),
    path("diagnosis/", include("zhichan.diagnosis.urls")),
    path("finance/", include("zhichan.finance.urls")),
    path("providers/", include("zhichan.providers.urls")),
    path("training/", include("zhichan.training.urls")),
    path("surveys/", include("zhichan.surveys.urls")),
    path("practices/", include("zhichan.practices.urls")),
    path("evaluation/", include("zhichan.evaluation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler500 = "zhichan.core.error_pages.server_error"
