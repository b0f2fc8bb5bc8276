"""The HTTP API, /api/v1/: each app contributes a router; OpenAPI at /api/v1/openapi.json."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import django_auth

from zhichan.agencies.api import router as agencies_router
from zhichan.cases.api import router as cases_router
from zhichan.catalog.api import router as catalog_router
from zhichan.core.audit_views import router as audit_router
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.custody.api import router as custody_router
from zhichan.diagnosis.api import router as diagnosis_router
from zhichan.enterprises.api import router as enterprises_router
from zhichan.evaluation.api import router as evaluation_router
from zhichan.fairs.api import router as fairs_router
from zhichan.finance.api import router as finance_router
from zhichan.ipdata.api import router as ipdata_router
from zhichan.knowledge.api import router as knowledge_router
from zhichan.notices.api import router as notices_router
from zhichan.practices.api import router as practices_router
from zhichan.providers.api import router as providers_router
from zhichan.regions.api import router as regions_router
from zhichan.screening.api import router as screening_router
from zhichan.surveys.api import router as surveys_router
from zhichan.training.api import router as training_router
from zhichan.watch.api import router as deadlines_router
from zhichan.watch.lists_api import router as watch_router

api = NinjaAPI(
    title="zhichan API",
    version="1",
    description=(
        "Regions, the service network and its coverage, the catalogue, the knowledge base, notices, "
        "patent and trademark records and their imports, enterprises, "
        "industry definitions with their patent landscape and navigation reports, trademark screening, "
        "legal deadlines of patents and trademarks, watch lists and their alerts, IP custody, "
        "the SME IP risk diagnosis, IP valuation, pledge financing and IP insurance, "
        "outside service providers and their offers, training events and registrations, "
        "satisfaction surveys and their anonymous answers, published good practice."
    ),
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    if hasattr(exc, "message_dict"):
        detail = [{"field": k, "errors": v} for k, v in exc.message_dict.items()]
    else:
        detail = [{"field": "", "errors": exc.messages}]
    return api.create_response(request, {"detail": detail}, status=422)


# Where a request's location prefix ("body", "query", "path") is not part of the field's name.
_LOCATIONS = {"body", "query", "path", "form", "file", "header", "cookie"}


@api.exception_handler(SchemaValidationError)
def schema_error(request, exc):
    """Input that fails the schema gets the same {field, errors} body as a refused value."""
    by_field: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        while loc and loc[0] in _LOCATIONS:
            loc.pop(0)
        if len(loc) > 1 and loc[0] in {"payload", "data", "filters"}:
            loc.pop(0)  # the handler's parameter name, not a field the client sent
        by_field.setdefault(".".join(loc), []).append(error.get("msg", "invalid"))
    detail = [{"field": field, "errors": errors} for field, errors in by_field.items()]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(MultiPartParserError)
def malformed_form(request, exc):
    return api.create_response(request, {"detail": f"Malformed form data: {exc}"}, status=400)


@api.exception_handler(TransitionError)
def transition_error(request, exc):
    return api.create_response(
        request,
        {"detail": [{"field": "status", "errors": [str(exc.message)]}]},
        status=409,
    )


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    # Forbidden answers like missing, so ids cannot be probed.
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not Found"}, status=404)


api.add_router("/regions", regions_router)
api.add_router("/agencies", agencies_router)
api.add_router("/catalog", catalog_router)
api.add_router("/cases", cases_router)
api.add_router("/fairs", fairs_router)
api.add_router("/notices", notices_router)
api.add_router("/knowledge", knowledge_router)
api.add_router("/ipdata", ipdata_router)
api.add_router("/enterprises", enterprises_router)
api.add_router("/deadlines", deadlines_router)
api.add_router("/custody", custody_router)
api.add_router("/watch", watch_router)
api.add_router("/screening", screening_router)
api.add_router("/diagnosis", diagnosis_router)
api.add_router("/finance", finance_router)
api.add_router("/providers", providers_router)
api.add_router("/training", training_router)
api.add_router("/surveys", surveys_router)
api.add_router("/practices", practices_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/audit", audit_router)

__all__ = ["api", "django_auth"]
