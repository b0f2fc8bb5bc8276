"""The HTTP API, /api/v1/: each app contributes a router; OpenAPI at /api/v1/openapi.json."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import django_auth

from zhichan.agencies.api import router as agencies_router
from zhichan.catalog.api import router as catalog_router
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.regions.api import router as regions_router

api = NinjaAPI(
    title="zhichan API",
    version="1",
    description="Regions, the service network, coverage and the service catalogue.",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    if hasattr(exc, "message_dict"):
        detail = [{"field": k, "errors": v} for k, v in exc.message_dict.items()]
    else:
        detail = [{"field": "", "errors": exc.messages}]
    return api.create_response(request, {"detail": detail}, status=422)


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

__all__ = ["api", "django_auth"]
