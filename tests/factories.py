"""Factories and the shared test world: a made-up city, so nothing depends on Jinzhong."""

from types import SimpleNamespace

import factory
from django.contrib.auth.models import AnonymousUser

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency, AgencyFunction, AgencyType, Level, Status
from zhichan.catalog.models import Category, GuideStatus, GuideVersion, ServiceItem
from zhichan.enterprises.models import Enterprise
from zhichan.regions.models import Region, RegionKind

PASSWORD = "correct-horse-battery-staple"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{990200 + n * 1:06d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = RegionKind.COUNTY


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"知识产权服务站{n}")
    level = Level.COUNTY
    type = AgencyType.WORKSTATION
    status = Status.OPERATING
    address = "测试路1号"
    opening_hours = "周一至周五 9:00-17:00"
    phone = "0000-1234567"

    @factory.post_generation
    def functions(self, create, extracted, **kwargs):
        for code in extracted or []:
            AgencyFunction.objects.create(agency=self, function=code)


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"测试服务{n}")
    category = Category.PROTECTION


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PUBLIC
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


def publish_item(item, time_limit_days=10, **fields):
    """A published guide version 1 for `item` (direct rows; the catalogue tests use the service)."""
    version = GuideVersion.objects.create(
        item=item,
        number=1,
        status=GuideStatus.PUBLISHED,
        steps=["提交申请", "审核", "办结"],
        materials=[{"name": "申请书", "copies": 1, "required": True}],
        time_limit_days=time_limit_days,
        channels=["window", "online"],
        agency_types=[AgencyType.SERVICE_CENTRE],
        **fields,
    )
    item.current = version
    item.published = True
    item.save()
    return version


def make_world():
    province = RegionFactory(code="990000", name="测试省", kind=RegionKind.PROVINCE)
    city = RegionFactory(
        code="990100", name="测试市", kind=RegionKind.CITY, parent=province, lng=112.5, lat=37.5
    )
    county_a = RegionFactory(code="990102", name="甲区", parent=city, lng=112.4, lat=37.4, sort=1)
    county_b = RegionFactory(code="990103", name="乙县", parent=city, lng=112.8, lat=37.7, sort=2)
    park_a = RegionFactory(code="990102-PARK", name="甲区开发区", kind=RegionKind.PARK, parent=county_a)

    item = ServiceItemFactory(code="TM-REG", name="商标注册申请受理", category=Category.GOVERNMENT)
    publish_item(item)
    draft_a = ServiceItemFactory(code="A-LOCAL", name="甲区特色服务", owner_region=county_a)
    GuideVersion.objects.create(item=draft_a, steps=["草稿"], time_limit_days=3)

    city_centre = AgencyFactory(
        name="测试市知识产权保护中心",
        level=Level.CITY,
        type=AgencyType.SERVICE_CENTRE,
        region=city,
        functions=["protection", "rights_defence", "mediation"],
    )
    centre_a = AgencyFactory(
        name="甲区知识产权服务中心",
        type=AgencyType.SERVICE_CENTRE,
        region=county_a,
        parent=city_centre,
        functions=["consultation", "information"],
    )
    outlet_a = AgencyFactory(
        name="甲区开发区工作站",
        level=Level.PARK,
        region=park_a,
        parent=centre_a,
        functions=["consultation"],
    )
    planned_a = AgencyFactory(name="甲区筹建网点", region=county_a, status=Status.PLANNED)
    centre_b = AgencyFactory(
        name="乙县商标品牌指导站",
        type=AgencyType.TM_GUIDANCE_STATION,
        region=county_b,
        parent=city_centre,
        functions=["consultation"],
    )
    closed_b = AgencyFactory(name="乙县已撤销网点", region=county_b, status=Status.CLOSED)
    for agency in (city_centre, centre_a, outlet_a, centre_b):
        agency.services.add(item)

    enterprise_a = Enterprise.objects.create(
        name="甲区测试科技有限公司", normalized_name="甲区测试科技", region=county_a
    )
    users = SimpleNamespace(
        anonymous=AnonymousUser(),
        public=UserFactory(username="public"),
        enterprise=UserFactory(
            username="enterprise",
            role=Role.ENTERPRISE,
            organisation=enterprise_a.name,
            enterprise=enterprise_a,
        ),
        staff_a=UserFactory(username="staff_a", role=Role.AGENCY_STAFF, agency=centre_a),
        agency_admin_a=UserFactory(username="agency_admin_a", role=Role.AGENCY_ADMIN, agency=centre_a),
        staff_b=UserFactory(username="staff_b", role=Role.AGENCY_STAFF, agency=centre_b),
        agency_admin_b=UserFactory(username="agency_admin_b", role=Role.AGENCY_ADMIN, agency=centre_b),
        county_admin_a=UserFactory(username="county_admin_a", role=Role.COUNTY_ADMIN, region=county_a),
        county_admin_b=UserFactory(username="county_admin_b", role=Role.COUNTY_ADMIN, region=county_b),
        city_admin=UserFactory(username="city_admin", role=Role.CITY_ADMIN, region=city),
    )
    return SimpleNamespace(
        province=province,
        city=city,
        county_a=county_a,
        county_b=county_b,
        park_a=park_a,
        item=item,
        draft_a=draft_a,
        city_centre=city_centre,
        centre_a=centre_a,
        outlet_a=outlet_a,
        planned_a=planned_a,
        centre_b=centre_b,
        closed_b=closed_b,
        enterprise_a=enterprise_a,
        users=users,
    )
