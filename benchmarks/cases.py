#!/usr/bin/env python3
"""Case intake and the staff inbox on PostgreSQL with 10^5 cases, against django-helpdesk.

zhichan: a fresh PostgreSQL database, `zhichan demo --no-serve` (migrations, the Jinzhong demo
bundle), then CASES cases bulk-created over the demo agencies, counties, types and statuses (one
"created" event each), an agency staff user of one county agency and a city administrator;
served by gunicorn as `zhichan demo` starts it.

django-helpdesk: a virtualenv in a temporary directory with `pip install django-helpdesk gunicorn
psycopg`, a minimal Django project (helpdesk's INSTALLED_APPS, the same PostgreSQL server, its own
database), migrated, CASES tickets bulk-created in four queues (one follow-up each) and a staff
user; served by gunicorn with the same workers and threads.

Both get the same client load: CLIENTS threads with keep-alive http.client connections and a
cookie jar each. Prints one table (median and p95 latency in ms, requests per second, errors, and
the ratio helpdesk median / zhichan median), then the concurrent-submission check: distinct
submissions, each sent twice with the same idempotency key from many threads at once; the number
of distinct case numbers answered must equal the rows stored (exit 1 otherwise).

    python benchmarks/cases.py                   # 10^5 cases, 400 requests per operation
    python benchmarks/cases.py --quick           # 10^4 cases, 100 requests per operation
    python benchmarks/cases.py --no-helpdesk     # zhichan only

BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/zhichan_bench_cases) names
zhichan's database; helpdesk uses zhichan_bench_helpdesk on the same server. Both are dropped and
created for the run and dropped at the end. zhichan runs as deployed on PostgreSQL, with its task
queue and cache in Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379/9, emptied first).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/zhichan_bench_cases"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
HELPDESK_DB = "zhichan_bench_helpdesk"
PASSWORD = "bench-" + secrets.token_hex(8)
DUMMY_MAIL = "django.core.mail.backends.dummy.EmailBackend"

# --- seeding (run inside each project's own interpreter) --------------------------------------

ZHICHAN_SEED = r"""
import datetime as dt, json, os, random, secrets
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from zhichan.accounts.models import User
from zhichan.agencies.models import Agency, Level, Status as AgencyStatus
from zhichan.cases import routing
from zhichan.cases.models import SUBTYPES, Case, CaseEvent, CaseType, Channel, IPType, Status
from zhichan.regions.models import Region, RegionKind

n = int(os.environ["BENCH_CASES"])
rng = random.Random(7)
counties = list(Region.objects.filter(kind=RegionKind.COUNTY).order_by("code"))
agencies = list(Agency.objects.filter(status=AgencyStatus.OPERATING).select_related("region"))
# The staff user's agency: where a consultation from the first county is routed, so intake lands there.
home = routing.route(CaseType.CONSULTATION, counties[0], "", None)
if home.level != Level.COUNTY:
    home = next((a for a in agencies if a.level == Level.COUNTY), home)
# Half of the cases go to the county agencies, the rest over every operating agency.
county_agencies = [a for a in agencies if a.level == Level.COUNTY] or agencies
types = list(CaseType.values)
statuses = [Status.NEW] * 3 + [Status.ACCEPTED] * 3 + [Status.WAITING_SUPPLEMENT, Status.REPLIED] + [
    Status.CLOSED
] * 6 + [Status.DECLINED]
ip_types = [""] + list(IPType.values)
now = timezone.now()
prefix = settings.ZHICHAN_CASE_PREFIX
last_by_year = {}
batch, events = [], []
for i in range(n):
    owner = rng.choice(county_agencies) if i % 2 else rng.choice(agencies)
    region = owner.region if owner.region and owner.region.kind == RegionKind.COUNTY else rng.choice(counties)
    created = now - dt.timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60))
    year = timezone.localtime(created).year
    last_by_year[year] = last_by_year.get(year, 0) + 1
    ctype = types[i % len(types)]
    status = rng.choice(statuses)
    subs = list(SUBTYPES.get(ctype, {}))
    done = status in (Status.CLOSED, Status.DECLINED, Status.REPLIED)
    accepted = created + dt.timedelta(hours=rng.randint(1, 48)) if status != Status.NEW else None
    batch.append(Case(
        number=f"{prefix}-{year}-B{last_by_year[year]:06d}",
        tracking_token=secrets.token_urlsafe(24),
        tracking_code=secrets.token_hex(4).upper(),
        type=ctype, subtype=rng.choice(subs) if subs else "", channel=rng.choice(Channel.values),
        status=status, region=region, ip_type=rng.choice(ip_types),
        subject=f"Case {i}: question about {rng.choice(['trademark', 'patent', 'copyright'])} matters",
        description="Bench case. " * rng.randint(5, 40),
        requester_name=f"Requester {i % 997}", requester_phone=f"139{i:08d}"[:11],
        requester_email=f"r{i}@example.com", owner=owner,
        deadline=created + dt.timedelta(days=rng.randint(3, 30)),
        received_at=created, created_at=created, accepted_at=accepted,
        replied_at=created + dt.timedelta(days=2) if done else None,
        closed_at=created + dt.timedelta(days=3) if status == Status.CLOSED else None,
    ))
    if len(batch) == 5000 or i == n - 1:
        with transaction.atomic():
            made = Case.objects.bulk_create(batch)
            CaseEvent.objects.bulk_create(
                CaseEvent(case=c, kind="created", to_state=Status.NEW, public=True,
                          data={"channel": c.channel, "owner": c.owner_id}) for c in made
            )
        batch = []
# Bench numbers carry a "B" so that the counters (and the demo's own cases) are left as they are.
pw = os.environ["BENCH_PASSWORD"]
staff = User.objects.create_user("bench_staff", password=pw, role="agency_staff", agency=home)
boss = User.objects.create_user("bench_city", password=pw, role="city_admin", region=counties[0].parent)
print(json.dumps({
    "agency": home.name, "region_code": counties[0].code, "cases": Case.objects.count(),
    "staff_sees": Case.objects.restrict(staff, "change").count(),
    "staff_new": Case.objects.restrict(staff, "change").filter(status=Status.NEW).count(),
}))
"""

HELPDESK_SEED = r"""
import datetime as dt, json, os, random
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from helpdesk.models import FollowUp, Queue, Ticket

n = int(os.environ["BENCH_CASES"])
rng = random.Random(7)
queues = [
    Queue.objects.create(title=title, slug=slug, allow_public_submission=True, email_address="hd@example.com")
    for title, slug in [("Consultation", "consult"), ("Complaint", "complaint"), ("Report", "report"),
                        ("Assistance", "assist")]
]
statuses = [Ticket.OPEN_STATUS] * 6 + [Ticket.REOPENED_STATUS] + [Ticket.RESOLVED_STATUS] * 2 + [
    Ticket.CLOSED_STATUS] * 6 + [Ticket.DUPLICATE_STATUS]
now = timezone.now()
batch = []
for i in range(n):
    created = now - dt.timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60))
    batch.append(Ticket(
        title=f"Case {i}: question about {rng.choice(['trademark', 'patent', 'copyright'])} matters",
        queue=queues[i % len(queues)], created=created, modified=created,
        submitter_email=f"r{i}@example.com", status=rng.choice(statuses),
        description="Bench case. " * rng.randint(5, 40), priority=rng.randint(1, 5),
        due_date=created + dt.timedelta(days=rng.randint(3, 30)),
    ))
    if len(batch) == 5000 or i == n - 1:
        with transaction.atomic():
            made = Ticket.objects.bulk_create(batch)
            FollowUp.objects.bulk_create(
                FollowUp(ticket=t, date=t.created, title="Ticket Opened", comment=t.description[:200],
                         public=True, new_status=t.status) for t in made
            )
        batch = []
User = get_user_model()
staff = User.objects.create_user("bench_staff", "staff@example.com", os.environ["BENCH_PASSWORD"],
                                 is_staff=True)
open_n = Ticket.objects.filter(status__in=[1, 2]).count()
print(json.dumps({"queue": queues[0].pk, "cases": Ticket.objects.count(), "staff_sees": open_n}))
"""

HELPDESK_SETTINGS = """
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ["BENCH_SECRET"]
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdbench.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "hdbench.wsgi.application"
_db = os.environ["BENCH_HD_DB"]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": _db.rsplit("/", 1)[1],
    "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432", "CONN_MAX_AGE": 60,
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_ROOT = BASE_DIR / "media"
LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False
"""

HELPDESK_URLS = """
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""

HELPDESK_WSGI = """
import os
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")
application = get_wsgi_application()
"""

# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def count(self):
        return len(self.latencies) + self.errors

    def median_ms(self):
        return statistics.median(self.latencies) * 1000 if self.latencies else None

    def p95_ms(self):
        if len(self.latencies) < 2:
            return self.median_ms()
        return statistics.quantiles(self.latencies, n=20, method="inclusive")[18] * 1000

    def rate(self):
        return self.count / self.seconds if self.seconds else 0.0

    def as_dict(self):
        return {
            "median_ms": self.median_ms(),
            "p95_ms": self.p95_ms(),
            "req_per_s": self.rate(),
            "requests": self.count,
            "errors": self.errors,
            "statuses": self.statuses,
        }


class Client:
    """One browser-like user: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.reused = False

    def request(self, method, path, body=None, headers=None):
        head = {"Accept-Language": "zh-CN,zh;q=0.9", "User-Agent": "zhichan-bench"}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head.update(headers or {})
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=head)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                # As browsers do: one retry when a kept-alive connection was closed by the server
                # while idle (gunicorn's keep-alive is 2 s); a second failure is an error.
                if attempt == 2 or not self.reused:
                    self.reused = False
                    return 0, {}, b""
        self.reused = True
        for value in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, data

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields: dict, referer: str):
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}{referer}",
            "Origin": f"http://127.0.0.1:{self.port}",
        }
        return self.request("POST", path, urlencode(fields, doseq=True).encode(), headers)

    def post_json(self, path, payload: dict):
        body = json.dumps(payload).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"})

    def csrf_from(self, path) -> str:
        status, _headers, body = self.get(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} (status {status})")
        return match.group(1).decode()

    def login(self, path, username, password, extra=None):
        token = self.csrf_from(path)
        fields = {"csrfmiddlewaretoken": token, "username": username, "password": password, **(extra or {})}
        status, _headers, _body = self.post_form(path, fields, path)
        if status != 302:
            raise RuntimeError(f"login at {path} as {username} answered {status}, not 302")

    def close(self):
        self.conn.close()


def hammer(port: int, setup, operation, total: int, clients: int) -> Result:
    """CLIENTS users, each set up once (login, CSRF), then share TOTAL operations, each timed.

    `operation(client, state, i)` returns True when the answer was the expected one (else the
    status code seen); a failed setup counts as one error for that client.
    """
    result = Result()
    lock = threading.Lock()
    counter = iter(range(total))

    def take():
        with lock:
            return next(counter, None)

    ready = threading.Barrier(clients + 1)

    def user():
        client = Client(port)
        latencies, errors, statuses = [], 0, {}
        try:
            state = setup(client) if setup else None
        except Exception as exc:  # noqa: BLE001 - counted and reported below
            print(f"  client setup failed: {exc}", file=sys.stderr)
            with lock:
                result.errors += 1
                result.statuses[-1] = result.statuses.get(-1, 0) + 1
            ready.wait()
            return
        ready.wait()  # logins (password hashing) stay outside the measured time
        while (i := take()) is not None:
            start = time.perf_counter()
            outcome = operation(client, state, i)
            elapsed = time.perf_counter() - start
            if outcome is True:
                latencies.append(elapsed)
                statuses[200] = statuses.get(200, 0) + 1
            else:
                errors += 1
                statuses[outcome] = statuses.get(outcome, 0) + 1
        client.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(user) for _ in range(clients)]
        ready.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
    result.seconds = time.perf_counter() - started
    return result


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_pg(url: str, drop_only: bool = False) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def pg_scalar(url: str, sql: str, params=()):
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchone()[0]


class Gunicorn:
    """gunicorn in its own process group, stopped with the group."""

    def __init__(self, python, app, env, cwd, workers, threads, probe="/"):
        self.python, self.app, self.env, self.cwd = python, app, env, cwd
        self.workers, self.threads, self.probe = workers, threads, probe
        self.port = free_port()
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            [
                str(self.python), "-m", "gunicorn", self.app,
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--threads", str(self.threads),
                "--log-level", "warning",
            ],
            env=self.env, cwd=self.cwd, start_new_session=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.app}) exited while starting")
            client = Client(self.port)
            status, _h, _b = client.get(self.probe)
            client.close()
            if status:
                return self
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn ({self.app}) did not answer within 60 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- zhichan -----------------------------------------------------------------------------------

LOGIN = "/accounts/login/"
INTAKE_PAGE = "/requests/new/"
INTAKE_API = "/api/v1/cases/"


def zc_env(data_dir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHAN_")}
    env.update(
        ZHICHAN_DATA_DIR=str(data_dir),
        ZHICHAN_ENV="demo",
        ZHICHAN_LOG_LEVEL="ERROR",
        ZHICHAN_EMAIL_BACKEND=DUMMY_MAIL,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,  # as deployed on PostgreSQL: queue and cache in Redis
    )
    return env


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=5).flushdb()


def zc_case_fields(info, i, tag):
    return {
        "type": "consultation",
        "subtype": "policy",
        "region_code": info["region_code"],
        "subject": f"{tag} {i}: how do I register a trademark?",
        "description": "I would like to know which documents a trademark registration needs. " * 3,
        "requester_name": f"Bench {i}",
        "requester_phone": "13900000000",
        "requester_email": f"bench{i}@example.com",
    }


def zhichan_ops(info):
    def staff(client):
        client.login(LOGIN, "bench_staff", PASSWORD)

    def city(client):
        client.login(LOGIN, "bench_city", PASSWORD)

    def get(path):
        def op(client, _state, _i):
            status, _h, _b = client.get(path)
            return True if status == 200 else status

        return op

    def form_setup(client):
        return client.csrf_from(INTAKE_PAGE)

    def form_post(client, token, i):
        fields = zc_case_fields(info, i, "Form")
        fields["region"] = fields.pop("region_code")
        fields.update(csrfmiddlewaretoken=token, idempotency_key=f"form-{i}-{secrets.token_hex(8)}")
        status, headers, _b = client.post_form(INTAKE_PAGE, fields, INTAKE_PAGE)
        return True if status == 302 and "/track/" in (headers.get("Location") or "") else status

    def api_post(client, _state, i):
        payload = zc_case_fields(info, i, "API")
        payload["idempotency_key"] = f"api-{i}-{secrets.token_hex(8)}"
        status, _h, _b = client.post_json(INTAKE_API, payload)
        return True if status == 201 else status

    return {
        "inbox": (staff, get("/cases/")),
        "inbox_city": (city, get("/cases/")),
        "inbox_filtered": (staff, get("/cases/?status=new")),
        "intake_form": (form_setup, form_post),
        "intake_api": (None, api_post),
    }


def concurrent_submission(port, info, database_url, distinct: int, threads: int) -> dict:
    """Each submission twice with the same key, shuffled, from THREADS threads at once."""
    run = secrets.token_hex(4)
    jobs = [i for i in range(distinct) for _ in range(2)]
    random.Random(run).shuffle(jobs)
    answers: list[tuple[int, str | None]] = []
    lock = threading.Lock()
    gate = threading.Barrier(threads)
    work = iter(jobs)

    def worker():
        client = Client(port)
        gate.wait()
        while True:
            with lock:
                i = next(work, None)
            if i is None:
                break
            payload = zc_case_fields(info, i, f"Concurrent {run}")
            payload["idempotency_key"] = f"conc-{run}-{i}"
            status, _h, body = client.post_json(INTAKE_API, payload)
            number = json.loads(body).get("number") if 200 <= status < 300 else None
            with lock:
                answers.append((i, number))
        client.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result()
    numbers = {number for _i, number in answers if number}
    per_key: dict[int, set[str]] = {}
    for i, number in answers:
        if number:
            per_key.setdefault(i, set()).add(number)
    stored = pg_scalar(
        database_url,
        "SELECT count(*) FROM cases_case WHERE idempotency_key LIKE %s",
        (f"conc-{run}-%",),
    )
    return {
        "submissions": distinct,
        "requests": len(jobs),
        "threads": threads,
        "answered_2xx": sum(1 for _i, n in answers if n),
        "accepted": len(numbers),
        "stored": stored,
        "one_number_per_key": all(len(v) == 1 for v in per_key.values()),
        "ok": len(numbers) == stored == distinct and all(len(v) == 1 for v in per_key.values()),
    }


def run_zhichan(args, pg_url, order) -> tuple[dict, dict, dict]:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="zhichan-bench-cases-") as tmp:
        env = zc_env(Path(tmp), pg_url, args.redis)
        flush_redis(args.redis)
        log("[zhichan] migrating and loading the demo bundle...")
        subprocess.run([python, "-m", "zhichan", "demo", "--no-serve"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        log(f"[zhichan] bulk-creating {args.cases} cases...")
        started = time.perf_counter()
        out = subprocess.run(
            [python, "-m", "zhichan", "shell", "-c", ZHICHAN_SEED],
            env={**env, "BENCH_CASES": str(args.cases), "BENCH_PASSWORD": PASSWORD},
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        info = json.loads(out.stdout.strip().splitlines()[-1])
        info["seed_seconds"] = round(time.perf_counter() - started, 1)
        log(f"[zhichan] {info}")
        analyze(pg_url)
        results = {}
        with Gunicorn(python, "zhichan.wsgi:application", env, tmp, args.workers, args.threads) as server:
            ops = zhichan_ops(info)
            for key in order:
                setup, op = ops[key]
                warm = Client(server.port)
                if setup:
                    state = setup(warm)
                    op(warm, state, -1)
                warm.close()
                results[key] = hammer(server.port, setup, op, args.requests, args.clients)
                log(f"[zhichan] {key}: {results[key].as_dict()}")
            log("[zhichan] concurrent submission...")
            conc = concurrent_submission(server.port, info, pg_url, args.distinct, args.conc_threads)
        return results, info, conc


def analyze(url):
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("ANALYZE")


# --- django-helpdesk ---------------------------------------------------------------------------


def helpdesk_ops(info):
    def login(client):
        client.login("/login/", "bench_staff", PASSWORD, {"next": "/tickets/"})

    def ticket_list(query=""):
        def op(client, _state, _i):
            # What the user waits for: the page, then the DataTables call it makes for the rows.
            status, _h, body = client.get("/tickets/" + query)
            if status != 200:
                return status
            match = re.search(rb'"(/datatables_ticket_list/[^"]+)"', body)
            if not match:
                return -2
            data = urlencode({"draw": 1, "start": 0, "length": 30, "search[value]": ""})
            status, _h, body = client.get(match.group(1).decode() + "?" + data)
            if status != 200 or b'"data"' not in body:
                return status or -3
            return True

        return op

    def form_setup(client):
        return client.csrf_from("/tickets/submit/")

    def form_post(client, token, i):
        fields = {
            "csrfmiddlewaretoken": token,
            "queue": info["queue"],
            "title": f"Form {i}: how do I register a trademark?",
            "body": "I would like to know which documents a trademark registration needs. " * 3,
            "submitter_email": f"bench{i}@example.com",
            "priority": 3,
            "due_date": "",
        }
        status, headers, _b = client.post_form("/tickets/submit/", fields, "/tickets/submit/")
        return True if status == 302 and "/view/" in (headers.get("Location") or "") else status

    return {
        "inbox": (login, ticket_list()),
        "inbox_city": (login, ticket_list()),
        "inbox_filtered": (login, ticket_list("?status=1")),
        "intake_form": (form_setup, form_post),
    }


def run_helpdesk(args, pg_url, order) -> tuple[dict, dict]:
    hd_url = pg_url.rsplit("/", 1)[0] + "/" + HELPDESK_DB
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-") as tmp:
        root = Path(tmp)
        log("[helpdesk] creating a virtualenv and installing django-helpdesk, gunicorn, psycopg...")
        subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
        python = root / "venv" / "bin" / "python"
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(
            [*pip, "django-helpdesk", "gunicorn", "psycopg[binary]"],
            check=True,
            capture_output=True,
            text=True,
        )
        version = subprocess.run(
            [str(python), "-c", "import importlib.metadata as m; print(m.version('django-helpdesk'), "
             "m.version('django'))"], check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        project = root / "project"
        (project / "hdbench").mkdir(parents=True)
        (project / "hdbench" / "__init__.py").write_text("")
        (project / "hdbench" / "settings.py").write_text(HELPDESK_SETTINGS)
        (project / "hdbench" / "urls.py").write_text(HELPDESK_URLS)
        (project / "hdbench" / "wsgi.py").write_text(HELPDESK_WSGI)
        (project / "manage.py").write_text(
            textwrap.dedent("""
            import os, sys
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdbench.settings")
            from django.core.management import execute_from_command_line
            execute_from_command_line(sys.argv)
            """)
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZHICHAN_", "DJANGO_"))}
        env.update(
            BENCH_SECRET=secrets.token_hex(32), BENCH_HD_DB=hd_url, DJANGO_SETTINGS_MODULE="hdbench.settings"
        )
        manage = [str(python), "manage.py"]
        recreate_pg(hd_url)
        try:
            log("[helpdesk] migrating...")
            subprocess.run([*manage, "migrate", "--no-input"], env=env, cwd=project, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            log(f"[helpdesk] bulk-creating {args.cases} tickets...")
            started = time.perf_counter()
            out = subprocess.run(
                [*manage, "shell", "-c", HELPDESK_SEED],
                env={**env, "BENCH_CASES": str(args.cases), "BENCH_PASSWORD": PASSWORD},
                cwd=project, check=True, capture_output=True, text=True,
            )  # fmt: skip
            info = json.loads(out.stdout.strip().splitlines()[-1])
            info.update(seed_seconds=round(time.perf_counter() - started, 1), helpdesk=version[0],
                        django=version[1])  # fmt: skip
            log(f"[helpdesk] {info}")
            analyze(hd_url)
            results = {}
            with Gunicorn(python, "hdbench.wsgi:application", env, project, args.workers, args.threads,
                          probe="/tickets/submit/") as server:  # fmt: skip
                ops = helpdesk_ops(info)
                for key in order:
                    if key not in ops:
                        continue
                    setup, op = ops[key]
                    warm = Client(server.port)
                    state = setup(warm)
                    op(warm, state, -1)
                    warm.close()
                    results[key] = hammer(server.port, setup, op, args.requests, args.clients)
                    log(f"[helpdesk] {key}: {results[key].as_dict()}")
            return results, info
        finally:
            recreate_pg(hd_url, drop_only=True)


# --- report ------------------------------------------------------------------------------------

ROWS = {
    "intake_form": "intake: public form POST",
    "intake_api": "intake: JSON API POST",
    "inbox": "inbox: agency staff",
    "inbox_city": "inbox: city admin / all",
    "inbox_filtered": "inbox: status=new / open",
}
# Inbox first so both sides list the same number of records; the intakes add to them afterwards.
ORDER = ["inbox", "inbox_city", "inbox_filtered", "intake_form", "intake_api"]


def fmt(value, spec="{:.1f}"):
    return "-" if value is None else spec.format(value)


def errors_text(r: Result | None) -> str:
    if r is None:
        return "-"
    bad = {s: n for s, n in r.statuses.items() if s != 200}
    text = str(r.errors)
    if bad:
        text += " (" + ", ".join(f"{status or 'conn'}×{n}" for status, n in bad.items()) + ")"
    return text


def print_table(zc: dict, hd: dict) -> None:
    head = ["operation", "zhichan median", "p95", "req/s", "helpdesk median", "p95", "req/s", "ratio",
            "errors zc / hd"]  # fmt: skip
    rows = []
    for key in ORDER:
        z, h = zc.get(key), hd.get(key)
        ratio = None
        if z and h and z.median_ms() and h.median_ms():
            ratio = h.median_ms() / z.median_ms()
        rows.append([
            ROWS[key],
            fmt(z and z.median_ms()), fmt(z and z.p95_ms()), fmt(z and z.rate(), "{:.0f}"),
            fmt(h and h.median_ms()), fmt(h and h.p95_ms()), fmt(h and h.rate(), "{:.0f}"),
            fmt(ratio, "{:.2f}×"), f"{errors_text(z)} / {errors_text(h)}",
        ])  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10^4 cases and 100 requests per operation")
    parser.add_argument("--cases", type=int, help="cases (and helpdesk tickets) to create (default 10^5)")
    parser.add_argument("--requests", type=int, help="requests per operation (default 400)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (as `zhichan demo`)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--distinct", type=int, default=200, help="concurrent run: distinct submissions")
    parser.add_argument("--conc-threads", type=int, default=50, help="concurrent run: threads")
    parser.add_argument("--no-helpdesk", action="store_true", help="measure zhichan only")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args(argv)
    args.cases = args.cases or (10_000 if args.quick else 100_000)
    args.requests = args.requests or (100 if args.quick else 400)

    pg_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    args.redis = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    try:
        recreate_pg(pg_url)
    except Exception as exc:  # noqa: BLE001 - nothing to measure without the database
        print(f"cannot create {pg_url}: {exc}", file=sys.stderr)
        return 2
    try:
        zc, zc_info, conc = run_zhichan(args, pg_url, ORDER)
    finally:
        recreate_pg(pg_url, drop_only=True)

    hd, hd_info, hd_problem = {}, {}, None
    if args.no_helpdesk:
        hd_problem = "not run (--no-helpdesk)"
    else:
        try:
            hd, hd_info = run_helpdesk(args, pg_url, ORDER)
        except Exception as exc:  # noqa: BLE001 - report it and still print zhichan's figures
            hd_problem = f"could not be installed or run here: {exc}"
            detail = getattr(exc, "stderr", None)
            if detail:
                hd_problem += "\n" + (detail if isinstance(detail, str) else detail.decode())[-2000:]

    print(
        f"\n{args.cases} cases / tickets on PostgreSQL, {args.requests} requests per operation, "
        f"{args.clients} concurrent clients, gunicorn {args.workers} workers x {args.threads} threads, "
        f"Python {sys.version.split()[0]}"
    )
    print(
        f"zhichan: agency staff of {zc_info['agency']} sees {zc_info['staff_sees']} cases "
        f"({zc_info['staff_new']} new); city admin sees all {zc_info['cases']}"
    )
    if hd_info:
        print(
            f"django-helpdesk {hd_info['helpdesk']} (Django {hd_info['django']}): staff user's default list "
            f"has {hd_info['staff_sees']} open tickets of {hd_info['cases']}; each inbox request = the "
            "/tickets/ page + its DataTables JSON call (30 rows)"
        )
    if hd_problem:
        print(f"django-helpdesk {hd_problem}")
    print("latencies in ms; ratio = helpdesk median / zhichan median\n")
    print_table(zc, hd)
    print(
        f"\nconcurrent submission: {conc['submissions']} distinct submissions sent twice each "
        f"({conc['requests']} requests) from {conc['threads']} threads: {conc['answered_2xx']} answered 2xx "
        f"with {conc['accepted']} distinct case numbers, {conc['stored']} stored; one number per key: "
        f"{conc['one_number_per_key']}"
    )
    print(f"accepted == stored: {conc['accepted'] == conc['stored'] and conc['ok']}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "cases": args.cases,
                    "requests": args.requests,
                    "clients": args.clients,
                    "zhichan": {"info": zc_info, **{k: r.as_dict() for k, r in zc.items()}},
                    "helpdesk": {
                        "info": hd_info,
                        "problem": hd_problem,
                        **{k: r.as_dict() for k, r in hd.items()},
                    },
                    "concurrent_submission": conc,
                },
                indent=2,
                default=str,
            )
        )
    return 0 if conc["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
