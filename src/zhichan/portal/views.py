from django.shortcuts import render

from zhichan.agencies.models import Agency
from zhichan.catalog.models import Category, ServiceItem
from zhichan.regions.models import Region


def home(request):
    items = ServiceItem.objects.restrict(request.user).published()
    return render(
        request,
        "portal/home.html",
        {
            "categories": [
                (value, label, [i for i in items if i.category == value]) for value, label in Category.choices
            ],
            "agency_count": Agency.objects.restrict(request.user).public().count(),
            "county_count": Region.objects.counties().count(),
            "item_count": len(items),
        },
    )
