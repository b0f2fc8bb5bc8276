"""Figures of a year: training statistics by audience and county, and staff training hours
(the talent-development goal) per person and per agency, with their XLSX exports."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from zhichan.accounts.models import AGENCY_ROLES, User
from zhichan.agencies.models import Agency
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.training.models import (
    SEATED,
    Audience,
    EventStatus,
    Registration,
    RegistrationStatus,
    TrainingEvent,
)

# --- staff hours ------------------------------------------------------------------------------


def can_see_hours(user) -> bool:
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    role = role_of(user)
    return (
        role == "city_admin"
        or (role == "county_admin" and bool(user.region_id))
        or (role in AGENCY_ROLES and bool(user.agency_id))
    )


def visible_staff(user):
    """The agency people whose hours `user` may read: an agency administrator their agency's,
    a county administrator those of the county's agencies, the city administrator all, agency
    staff their own."""
    if not can_see_hours(user):
        raise PermissionDenied
    people = User.objects.filter(role__in=AGENCY_ROLES, agency__isnull=False)
    if user.is_superuser or role_of(user) == "city_admin":
        return people
    role = role_of(user)
    if role == "county_admin":
        return people.filter(agency__region_id__in=user.region.subtree_ids())
    if role == "agency_admin":
        return people.filter(agency_id=user.agency_id)
    return people.filter(pk=user.pk)


@dataclass
class PersonHours:
    user: User
    agency: Agency
    events: int = 0
    hours: Decimal = Decimal("0")


@dataclass
class AgencyHours:
    agency: Agency
    people: int = 0
    trained: int = 0
    hours: Decimal = Decimal("0")

    @property
    def per_person(self) -> Decimal:
        return (self.hours / self.people).quantize(Decimal("0.1")) if self.people else Decimal("0")


@dataclass
class StaffHours:
    year: int
    people: list[PersonHours] = field(default_factory=list)
    agencies: list[AgencyHours] = field(default_factory=list)


def staff_hours(user, year: int) -> StaffHours:
    people = list(visible_staff(user).select_related("agency").order_by("agency__name", "username"))
    attended = (
        Registration.objects.filter(
            user__in=[p.pk for p in people],
            status=RegistrationStatus.ATTENDED,
            event__status=EventStatus.FINISHED,
            event__starts_at__year=year,
        )
        .values_list("user_id", "event__hours")
        .order_by()
    )
    by_person: dict[int, PersonHours] = {p.pk: PersonHours(p, p.agency) for p in people}
    for user_id, hours in attended:
        row = by_person[user_id]
        row.events += 1
        row.hours += hours
    by_agency: dict[int, AgencyHours] = {}
    for row in by_person.values():
        agency = by_agency.setdefault(row.agency.pk, AgencyHours(row.agency))
        agency.people += 1
        agency.trained += 1 if row.events else 0
        agency.hours += row.hours
    return StaffHours(
        year,
        sorted(by_person.values(), key=lambda r: (-r.hours, r.agency.name, r.user.username)),
        sorted(by_agency.values(), key=lambda r: (-r.hours, r.agency.name)),
    )


def staff_hours_xlsx(report: StaffHours) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    people = book.active
    people.title = _("People")[:31]
    people.append([_("Person"), _("User name"), _("Agency"), _("Events attended"), _("Hours")])
    for row in report.people:
        people.append([str(row.user), row.user.username, row.agency.name, row.events, float(row.hours)])
    agencies = book.create_sheet(_("Agencies")[:31])
    agencies.append([_("Agency"), _("Staff"), _("Staff trained"), _("Hours"), _("Hours per person")])
    for row in report.agencies:
        agencies.append([row.agency.name, row.people, row.trained, float(row.hours), float(row.per_person)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- statistics -------------------------------------------------------------------------------


def can_see_statistics(user) -> bool:
    from zhichan.training.services import can_manage_events

    return can_manage_events(user)


@dataclass
class Row:
    key: str
    name: str
    events: int = 0
    seats: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_show: int = 0
    hours: Decimal = Decimal("0")  # person-hours credited

    @property
    def attendance_rate(self) -> float | None:
        held = self.attended + self.no_show
        return round(100 * self.attended / held, 1) if held else None


@dataclass
class Statistics:
    year: int
    total: Row
    by_audience: list[Row]
    by_county: list[Row]
    by_month: list[int]


def statistics(user, year: int) -> Statistics:
    """Events held or planned in `year` (published or finished) among those `user` manages."""
    if not can_see_statistics(user):
        raise PermissionDenied
    events = list(
        TrainingEvent.objects.restrict(user, CHANGE)
        .filter(starts_at__year=year, status__in=(EventStatus.PUBLISHED, EventStatus.FINISHED))
        .select_related("region__parent")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for event_id, status, n in (
        Registration.objects.filter(event__in=[e.pk for e in events])
        .values_list("event_id", "status")
        .order_by()
        .annotate(n=Count("pk"))
    ):
        counts[event_id][status] = n
    total = Row("total", _("All"))
    audience = {value: Row(value, str(label)) for value, label in Audience.choices}
    county: dict[str, Row] = {}
    months = [0] * 12
    for event in events:
        c = counts[event.pk]
        region = event.region.county or event.region
        rows = [
            total,
            audience[event.audience],
            county.setdefault(region.code, Row(region.code, region.display_name)),
        ]
        months[event.starts_at.month - 1] += 1
        for row in rows:
            row.events += 1
            row.seats += sum(c.get(s, 0) for s in SEATED)
            row.waitlisted += c.get(RegistrationStatus.WAITLISTED, 0)
            row.attended += c.get(RegistrationStatus.ATTENDED, 0)
            row.no_show += c.get(RegistrationStatus.NO_SHOW, 0)
            row.hours += event.hours * c.get(RegistrationStatus.ATTENDED, 0)
    return Statistics(
        year, total, list(audience.values()), sorted(county.values(), key=lambda r: r.key), months
    )


def chart_data(stats: Statistics) -> dict:
    return {
        "labels": {
            "events": _("Events"),
            "seats": _("Registrations"),
            "attended": _("Attended"),
            "hours": _("Person-hours"),
            "month": _("Month"),
        },
        "audiences": [
            {"name": r.name, "events": r.events, "seats": r.seats, "attended": r.attended}
            for r in stats.by_audience
        ],
        "counties": [
            {"name": r.name, "events": r.events, "seats": r.seats, "attended": r.attended}
            for r in stats.by_county
        ],
        "months": stats.by_month,
    }


def statistics_xlsx(stats: Statistics) -> bytes:
    from openpyxl import Workbook

    head = [
        _("Group"),
        _("Events"),
        _("Registrations"),
        _("Waiting list"),
        _("Attended"),
        _("Did not attend"),
        _("Attendance rate (%)"),
        _("Person-hours"),
    ]

    def line(row: Row):
        rate = row.attendance_rate
        return [
            row.name,
            row.events,
            row.seats,
            row.waitlisted,
            row.attended,
            row.no_show,
            rate if rate is not None else "",
            float(row.hours),
        ]

    book = Workbook()
    first = book.active
    first.title = _("By audience")[:31]
    first.append(head)
    for row in [*stats.by_audience, stats.total]:
        first.append(line(row))
    second = book.create_sheet(_("By county")[:31])
    second.append(head)
    for row in [*stats.by_county, stats.total]:
        second.append(line(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
