"""Regions are read-only over the API: a city changes them by loading its data file."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from zhichan.regions.models import Region, RegionKind

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    parent_code: str | None
    lng: float | None
    lat: float | None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


@router.get("/", response=list[RegionOut], summary="List regions")
def list_regions(request, kind: RegionKind | None = None, parent: str | None = None):
    qs = Region.objects.restrict(request.user).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent__code=parent)
    return qs


@router.get(
    "/map", url_name="region_map", summary="County boundaries of a city as a GeoJSON FeatureCollection"
)
def region_map(request, response: HttpResponse, city: str | None = None):
    # Boundaries change only when a city's data is reloaded; browsers may keep them for an hour.
    response["Cache-Control"] = "public, max-age=3600"
    cities = Region.objects.restrict(request.user).filter(kind=RegionKind.CITY)
    parent = get_object_or_404(cities, code=city) if city else cities.order_by("code").first()
    features = []
    if parent is not None:
        for region in Region.objects.filter(parent=parent, boundary__isnull=False).select_related("boundary"):
            features.append(
                {
                    "type": "Feature",
                    "id": region.code,
                    "properties": {
                        "code": region.code,
                        "name": region.name,
                        "cp": [region.lng, region.lat],
                    },
                    "geometry": region.boundary.geometry,
                }
            )
    return {"type": "FeatureCollection", "features": features}


@router.get("/{code}", response=RegionOut, summary="One region")
def get_region(request, code: str):
    return get_object_or_404(Region.objects.restrict(request.user).select_related("parent"), code=code)
