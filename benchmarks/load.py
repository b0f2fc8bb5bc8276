#!/usr/bin/env python3
"""A realistic mix of users against the production configuration, with faults during the run.

Sets up everything itself, on loopback only, in a temporary directory: its own PostgreSQL
cluster (initdb, trust authentication, a free port), its own redis-server, the Jinzhong demo
data (`zhichan demo --no-serve`), collectstatic, then gunicorn with deploy/gunicorn.conf.py and
`zhichan worker`, both with ZHICHAN_ENV=production. Locust (used as a library) then runs USERS
concurrent users for DURATION seconds:

    visitor    anonymous public pages: home, catalogue, a service guide, network, knowledge
    searcher   patent search queries
    screener   trademark screening
    filer      case intake through the public form (half anonymous, half a signed-in member of
               the public), each submission with the form's idempotency key; a failed submission
               is sent again once with the same key, as a person pressing the button again does
    staff      agency staff signed in: the inbox, then one of its cases

Faults (unless --no-faults): at 1/3 of the run the worker is killed (SIGKILL) and started again a
few seconds later; at 2/3 PostgreSQL is restarted (pg_ctl restart). Reminders fall due during the
run: REMINDERS cases get deadlines spread over the run, so the worker's case timers (every minute
here) send their "due soon" and "overdue" notices while the faults happen.

After the run it waits (at most --settle seconds) for the timers and deliveries, then checks
  * every acknowledged submission (302 to its tracking page) is stored exactly once, under its key
    and with the tracking page it was answered with, and no submission was stored twice;
  * every reminder that fell due was sent exactly once: one inbox notice per recipient, case and
    kind, one delivery per address, and one e-mail / SMS actually sent per delivery (the e-mails
    as the worker printed them, the SMS as the gateway stored them);
  * the application recovered by itself: no request failed outside the PostgreSQL restart (and
    --grace seconds after it), /healthz answers 200, and after the run every page, the search and
    the screening answer 200 once per web thread (a dead kept connection would answer 500).
Prints per endpoint: requests, failures (and the unexpected ones), throughput, median and p95,
the reasons of the failures; then the checks. Exits 1 when a check fails.

    python benchmarks/load.py                         # 60 s, 20 users, with faults
    python benchmarks/load.py --duration 30 --users 10
    python benchmarks/load.py --no-faults --json /tmp/load.json

Needs PostgreSQL's server binaries (BENCH_PG_BIN, default /usr/lib/postgresql/15/bin), redis-server
and the `bench` extra (`pip install -e '.[bench]'`: locust). Run as root, the PostgreSQL cluster
runs as the `postgres` user.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email
import email.policy
import json
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gevent

# locust patches the standard library for gevent when imported (module attributes, so the modules
# above are patched too): the subprocesses and sockets of this script cooperate with the users.
from locust import HttpUser, between, constant, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "bench-" + secrets.token_hex(8)
LOGIN = "/accounts/login/"
INTAKE = "/requests/new/"
KILL_AFTER_TIMERS = 0.3  # seconds: the case timers are then claiming cases and writing notices
RUN_TAG = secrets.token_hex(3)

# --- the application's side: run with `zhichan shell -c` in the application's environment ------

SEED = r"""
import json, os
from zhichan.accounts.models import User
from zhichan.agencies.models import Level
from zhichan.cases import routing, services
from zhichan.cases.models import CaseType
from zhichan.regions.models import Region, RegionKind

pw = os.environ["BENCH_PASSWORD"]
county = Region.objects.filter(kind=RegionKind.COUNTY).order_by("sort", "code").first()
home = routing.route(CaseType.CONSULTATION, county, "", None)
# Addresses make the notices real deliveries (e-mail and SMS) the worker must send.
User.objects.create_user("bench_public", password=pw, role="public", email="public@bench.example")
for i in range(2):
    User.objects.create_user(
        f"bench_staff{i}", password=pw, role="agency_staff", agency=home,
        email=f"staff{i}@bench.example", phone=f"1390000000{i}",
    )
User.objects.create_user(
    "bench_county", password=pw, role="county_admin", region=county,
    email="county@bench.example", phone="13900000009",
)
reminders = []
for i in range(int(os.environ["BENCH_REMINDERS"])):
    case = services.do_intake(
        None, "web", idempotency_key=f"bench-reminder-{i}", type="consultation", subtype="policy",
        region=county, subject=f"Reminder case {i}", description="A case whose deadline falls in the run.",
        requester_name="Bench", requester_phone="13900000100",
    )
    reminders.append(case.pk)
print(json.dumps({"region": county.code, "agency": home.name, "reminders": reminders}))
"""

# Deadlines spread from FIRST to LAST seconds from now: the timers warn and flag them in the run.
ARM = r"""
import datetime as dt, json, os
from django.utils import timezone
from zhichan.cases.models import Case

ids = json.loads(os.environ["BENCH_IDS"])
first, last = float(os.environ["BENCH_FIRST"]), float(os.environ["BENCH_LAST"])
now = timezone.now()
step = (last - first) / max(len(ids) - 1, 1)
for n, pk in enumerate(ids):
    Case.objects.filter(pk=pk).update(
        deadline=now + dt.timedelta(seconds=first + n * step), warned_at=None, overdue_at=None
    )
print(json.dumps({"armed": len(ids)}))
"""

# What the worker has done with the reminders so far (polled while settling).
PROGRESS = r"""
import json, os
from django.utils import timezone
from zhichan.cases.models import RUNNING, Case
from zhichan.notices.models import Delivery, DeliveryStatus

due = Case.objects.filter(deadline__lt=timezone.now(), status__in=RUNNING)
print(json.dumps({
    "due_unflagged": due.filter(overdue_at__isnull=True).count(),
    "deliveries_open": Delivery.objects.filter(
        kind__in=["case_due_soon", "case_overdue"],
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING],
    ).count(),
}))
"""

CHECK = r"""
import json, os
from collections import Counter
from django.db.models import Count
from zhichan.cases.models import RUNNING, Case
from zhichan.notices.models import Delivery, Notice, SmsMessage
from zhichan.notices.services import sms_text

end = json.loads(os.environ["BENCH_END"])
subs = json.loads(open(os.environ["BENCH_SUBMISSIONS"]).read())
kinds = ["case_due_soon", "case_overdue"]
out = {}

# Submissions: acknowledged ones stored once, with the tracking page they were answered with.
keys = [s["key"] for s in subs]
stored = {
    c["idempotency_key"]: c
    for c in Case.objects.filter(idempotency_key__in=keys).values("idempotency_key", "tracking_token")
}
acked = [s for s in subs if s["acked"]]
tag = os.environ["BENCH_TAG"]
mine = Case.objects.filter(subject__startswith=f"Load {tag} ")
per_subject = Counter(mine.values_list("subject", flat=True))
out["submissions"] = {
    "sent": len(subs),
    "acknowledged": len(acked),
    "acknowledged_missing": [s["key"] for s in acked if s["key"] not in stored],
    "acknowledged_other_case": [
        s["key"] for s in acked if s["key"] in stored and stored[s["key"]]["tracking_token"] != s["token"]
    ],
    "stored": len(stored),
    "stored_unacknowledged": len([s for s in subs if not s["acked"] and s["key"] in stored]),
    "stored_twice": sorted(subj for subj, n in per_subject.items() if n > 1),
}

# Reminders: cases due before the end of the run (and still running) must have been flagged.
import datetime as dt
end_at = dt.datetime.fromtimestamp(end, tz=dt.timezone.utc)
due = Case.objects.filter(deadline__lt=end_at, status__in=RUNNING)
notices = Notice.objects.filter(kind__in=kinds)
dup_notices = list(
    notices.values("case_id", "kind", "recipient_id").annotate(n=Count("id")).filter(n__gt=1).values_list(
        "case_id", "kind", "recipient_id", "n")
)
deliveries = Delivery.objects.filter(kind__in=kinds)
dup_deliveries = list(
    deliveries.values("case_id", "kind", "channel", "address").annotate(n=Count("id")).filter(n__gt=1)
    .values_list("case_id", "kind", "channel", "address", "n")
)
sms = Counter(SmsMessage.objects.values_list("phone", "text"))
rows = []
fields = ("pk", "channel", "address", "subject", "body", "link", "status", "attempts", "case_id", "kind")
for d in deliveries.values(*fields):
    if d["channel"] == "sms":
        d["sent_copies"] = sms.get((d["address"], sms_text(d["subject"], d["body"], d["link"])), 0)
    rows.append(d)
out["reminders"] = {
    "due_cases": due.count(),
    "due_unflagged": list(due.filter(overdue_at__isnull=True).values_list("number", flat=True)),
    "flagged_without_notice": list(
        due.filter(overdue_at__isnull=False).exclude(
            pk__in=notices.filter(kind="case_overdue").values("case_id")
        ).values_list("number", flat=True)
    ),
    "notices": notices.count(),
    "notices_by_kind": dict(Counter(notices.values_list("kind", flat=True))),
    "duplicate_notices": dup_notices,
    "duplicate_deliveries": dup_deliveries,
    "deliveries": rows,
}
out["other_deliveries"] = dict(
    Counter(Delivery.objects.exclude(kind__in=kinds).values_list("status", flat=True))
)
print(json.dumps(out, default=str))
"""

# --- processes ------------------------------------------------------------------------------------


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(proc, sig=signal.SIGTERM, timeout=20):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Postgres:
    """A PostgreSQL cluster of our own in DIR, on a free loopback port, trust authentication."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.logfile = folder / "postgres.log"
        self.user = None
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            self.user = pwd.getpwnam("postgres")

    def _run(self, *args, check=True):
        kwargs = {}
        if self.user is not None:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        return subprocess.run(
            [str(PG_BIN / args[0]), *args[1:]], check=check, capture_output=True, text=True, **kwargs
        )

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/zhichan"

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
            "-c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-o", options, "-w", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "zhichan")

    def restart(self, mode: str):
        # pg_ctl restart reuses the options the server was started with.
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "restart", "-l", str(self.logfile))

    def stop(self):
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)


class Redis:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "redis.log", "w") as out:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder)],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        stop_process(self.proc)


def zhichan(env, *args, capture=True, script=None, extra=None):
    command = [sys.executable, "-m", "zhichan", *args]
    if script is not None:
        command += ["shell", "-c", script]
    done = subprocess.run(
        command, env={**env, **(extra or {})}, cwd=env["ZHICHAN_DATA_DIR"], check=False,
        capture_output=capture, text=True,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"zhichan {' '.join(args) or 'shell'} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def shell_json(env, script, **extra):
    out = zhichan(env, script=script, extra={k: str(v) for k, v in extra.items()})
    return json.loads(out.strip().splitlines()[-1])


def http_status(port, path="/healthz", timeout=10.0) -> int:
    """The status of one GET, as nginx would pass it on (X-Forwarded-Proto: https)."""
    request = f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(request.encode())
            head = sock.recv(64)
        return int(head.split()[1])
    except (OSError, IndexError, ValueError):
        return 0


class App:
    """gunicorn (deploy/gunicorn.conf.py) and `zhichan worker`, in production mode."""

    def __init__(self, folder: Path, pg: Postgres, redis: Redis, args):
        self.folder = folder
        self.port = free_port()
        self.data = folder / "app"
        self.data.mkdir(parents=True, exist_ok=True)
        base = {
            k: v for k, v in os.environ.items() if not k.startswith(("ZHICHAN_", "DATABASE_URL", "REDIS_URL"))
        }
        base.update(
            ZHICHAN_DATA_DIR=str(self.data),
            DATABASE_URL=pg.url,
            REDIS_URL=redis.url,
            ZHICHAN_SEARCH_BACKEND="postgres",  # as docs/search.md advises with a shared database
            ZHICHAN_LOG_LEVEL="WARNING",
            ZHICHAN_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        )
        self.demo_env = {**base, "ZHICHAN_ENV": "demo"}
        site = f"https://127.0.0.1:{self.port}"
        self.env = {
            **base,
            "ZHICHAN_ENV": "production",
            "ZHICHAN_SECRET_KEY": secrets.token_urlsafe(50),
            "ZHICHAN_ALLOWED_HOSTS": "127.0.0.1",
            "ZHICHAN_CSRF_TRUSTED_ORIGINS": site,
            "ZHICHAN_SITE_URL": site,
            "ZHICHAN_STATIC_ROOT": str(folder / "static"),
            "ZHICHAN_BIND": f"127.0.0.1:{self.port}",
            "ZHICHAN_WEB_WORKERS": str(args.web_workers),
            "ZHICHAN_WEB_THREADS": str(args.web_threads),
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "prometheus"),
            # The timers every minute (10 by default) so that reminders fall due within the run.
            "ZHICHAN_CASE_TIMER_MINUTES": "1",
            # Deliveries whose task died with the killed worker are taken up after 30 s (pending) and
            # 60 s (left "sending"; 120 s and 600 s by default), so the run sees how they end.
            "ZHICHAN_DELIVERY_PENDING_SECONDS": "30",
            "ZHICHAN_DELIVERY_STALE_SECONDS": "60",
        }
        self.web = None
        self.worker = None
        self.mail = folder / "worker-mail.txt"  # the console e-mail backend: what was sent

    def load(self, reminders: int) -> dict:
        log("migrating and loading the demo data (zhichan demo --no-serve)...")
        zhichan(self.demo_env, "demo", "--no-serve")
        info = shell_json(self.demo_env, SEED, BENCH_PASSWORD=PASSWORD, BENCH_REMINDERS=reminders)
        log("collectstatic...")
        zhichan(self.env, "collectstatic", "--noinput", "-v", "0")
        return info

    def start_web(self):
        with open(self.folder / "gunicorn.log", "a") as errors:
            self.web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
                env=self.env, cwd=self.data, start_new_session=True, stdout=subprocess.DEVNULL, stderr=errors,
            )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.folder / 'gunicorn.log'}")
            if http_status(self.port) == 200:
                return
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer /healthz with 200 within 90 s")

    def start_worker(self):
        with open(self.mail, "a") as out, open(self.folder / "worker.log", "a") as errors:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "zhichan", "worker"],
                env=self.env, cwd=self.data, start_new_session=True, stdout=out, stderr=errors,
            )  # fmt: skip

    def timer_runs(self, event="Executing") -> list[float]:
        """When the worker logged EVENT ("Enqueueing periodic task", "Executing") for case_timers."""
        found = []
        path = self.folder / "worker.log"
        for line in path.read_text(errors="replace").splitlines() if path.exists() else ():
            if "cases.tasks.case_timers" in line and event in line:
                with contextlib.suppress(ValueError, KeyError):
                    found.append(dt.datetime.fromisoformat(json.loads(line)["time"]).timestamp())
        return found

    def wait_for_timers(self, limit: float) -> float | None:
        deadline = time.time() + limit
        while time.time() < deadline:
            if ticks := self.timer_runs("Enqueueing periodic task"):
                return ticks[-1]
            time.sleep(1)
        return None

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def stop(self):
        stop_process(self.worker)
        stop_process(self.web)


# --- the users ------------------------------------------------------------------------------------

SEARCHES = ["电池", "锂离子电池", "一种", "装置", "太原", "煤", "IPC=G06", 'TX="储能"', "传感器 NOT 汽车"]
MARKS = [
    ("晋中", "30"),
    ("老陈醋", "30,32"),
    ("平遥", "33"),
    ("太谷饼", "30"),
    ("福源", "35"),
    ("JINHUA", "9"),
]
PAGES = [("/", "home"), ("/services/", "catalogue"), ("/network/", "network"), ("/knowledge/", "knowledge")]


@dataclass
class Shared:
    """What the users record, read after the run."""

    port: int = 0
    region: str = ""
    guides: list[str] = field(default_factory=list)
    submissions: list[dict] = field(default_factory=list)
    failures: list[tuple[float, str, str]] = field(default_factory=list)


SHARED = Shared()
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_RE = re.compile(r'name="idempotency_key" value="([^"]+)"')


class Browser(HttpUser):
    """A browser behind nginx: TLS ends at nginx, which tells the application with
    X-Forwarded-Proto; the client sends that header itself and keeps its (secure) cookies on the
    plain loopback connection."""

    abstract = True
    wait_time = between(0.5, 2.0)  # --think sets it

    def on_start(self):
        self.base = f"https://127.0.0.1:{SHARED.port}"
        self.headers = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-CN,zh;q=0.9"}

    def _unsecure_cookies(self):
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, path, name, **kwargs):
        try:
            return self.client.get(path, name=name, headers=self.headers, **kwargs)
        finally:
            self._unsecure_cookies()

    def post(self, path, data, name, referer, **kwargs):
        headers = {
            **self.headers,
            "Referer": self.base + referer,
            "Origin": self.base,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            return self.client.post(path, data=data, name=name, headers=headers, **kwargs)
        finally:
            self._unsecure_cookies()

    def login(self, username):
        with self.get(LOGIN, "login page", catch_response=True) as page:
            match = CSRF_RE.search(page.text or "")
            if not match:
                page.failure(f"no CSRF token ({page.status_code})")
                return False
        fields = {"csrfmiddlewaretoken": match.group(1), "username": username, "password": PASSWORD}
        with self.post(LOGIN, fields, "login submit", LOGIN, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"login answered {r.status_code}")
                return False
        return True


class Visitor(Browser):
    weight = 6

    @task(4)
    def page(self):
        path, name = random.choice(PAGES)
        self.get(path, name)

    @task(1)
    def guide(self):
        if SHARED.guides:
            self.get(f"/services/{random.choice(SHARED.guides)}/", "service guide")


class Searcher(Browser):
    weight = 3

    @task
    def search(self):
        self.get("/ipdata/search/", "patent search", params={"q": random.choice(SEARCHES)})


class Screener(Browser):
    weight = 2

    @task
    def screen(self):
        mark, classes = random.choice(MARKS)
        self.get("/screening/", "trademark screening", params={"mark": mark, "classes": classes})


class Filer(Browser):
    weight = 2

    def on_start(self):
        super().on_start()
        self.signed_in = random.random() < 0.5 and self.login("bench_public")

    @task
    def file(self):
        with self.get(INTAKE, "intake form", catch_response=True) as page:
            csrf, key = CSRF_RE.search(page.text or ""), KEY_RE.search(page.text or "")
            if page.status_code != 200 or not csrf or not key:
                page.failure(f"form not served ({page.status_code})")
                return
        n = len(SHARED.submissions)
        record = {"key": key.group(1), "acked": False, "token": "", "tries": 0, "signed_in": self.signed_in}
        SHARED.submissions.append(record)
        fields = {
            "csrfmiddlewaretoken": csrf.group(1),
            "idempotency_key": record["key"],
            "type": "consultation",
            "subtype": "policy",
            "region": SHARED.region,
            "subject": f"Load {RUN_TAG} {n}: how do I register a trademark?",
            "description": "Which documents does a trademark registration need? " * 3,
            "requester_name": f"Load {n}",
            "requester_phone": "13900000200",
        }
        # A person whose submission failed presses the button once more: the same form, same key.
        for attempt in (1, 2):
            record["tries"] = attempt
            with self.post(
                INTAKE, fields, "intake submit", INTAKE, allow_redirects=False, catch_response=True
            ) as r:
                location = r.headers.get("Location", "") if r.headers else ""
                match = re.search(r"/track/([^/]+)/", location)
                if r.status_code == 302 and match:
                    record.update(acked=True, token=match.group(1))
                    return
                r.failure(f"answered {r.status_code}")
            gevent.sleep(1.0)


class Staff(Browser):
    weight = 1
    fixed_count = 2

    def on_start(self):
        super().on_start()
        self.ready = self.login(f"bench_staff{random.randint(0, 1)}")

    @task
    def inbox(self):
        if not self.ready:
            self.ready = self.login("bench_staff0")
            return
        response = self.get("/cases/", "staff inbox")
        ids = re.findall(r'href="/cases/(\d+)/"', response.text or "")
        if ids:
            self.get(f"/cases/{random.choice(ids)}/", "staff case detail")


@events.request.add_listener
def _note_failure(request_type, name, response_time, response_length, exception=None, **kwargs):
    if exception is not None:
        SHARED.failures.append((time.time(), name, str(exception)[:60]))


# --- faults ---------------------------------------------------------------------------------------


@dataclass
class Faults:
    worker_killed: float = 0.0
    worker_started: float = 0.0
    pg_restart_began: float = 0.0
    pg_restart_done: float = 0.0
    notes: list[str] = field(default_factory=list)


def inject(app: App, pg: Postgres, duration: float, faults: Faults, mode: str):
    started = time.time()
    gevent.sleep(max(0.0, duration / 3 - 5))
    # Kill it while the case timers run (they start about once a minute): wait for them at most
    # 15 s, then let them work a moment.
    seen = len(app.timer_runs())
    wait_until = time.time() + 15
    while len(app.timer_runs()) == seen and time.time() < wait_until:
        gevent.sleep(0.05)
    during = len(app.timer_runs()) > seen
    if during:
        gevent.sleep(KILL_AFTER_TIMERS)
    faults.worker_killed = time.time()
    app.kill_worker()
    faults.notes.append(
        f"worker killed (SIGKILL) at {faults.worker_killed - started:.1f} s"
        + (
            f", {KILL_AFTER_TIMERS} s after the case timers started"
            if during
            else " (the timers did not run)"
        )
    )
    gevent.sleep(5)
    app.start_worker()
    faults.worker_started = time.time()
    faults.notes.append(f"worker started again at {faults.worker_started - started:.1f} s")
    gevent.sleep(max(0.0, started + 2 * duration / 3 - time.time()))
    faults.pg_restart_began = time.time()
    pg.restart(mode)
    faults.pg_restart_done = time.time()
    faults.notes.append(
        f"PostgreSQL restarted (-m {mode}) at {faults.pg_restart_began - started:.1f} s, "
        f"up again after {faults.pg_restart_done - faults.pg_restart_began:.1f} s"
    )


# --- the run --------------------------------------------------------------------------------------


def load_average():
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def sent_emails(path: Path) -> dict[tuple[str, str], int]:
    """(address, subject) → copies, from the console backend's output (messages split by dashes)."""
    counts: dict[tuple[str, str], int] = {}
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    for chunk in text.split("-" * 79):
        if "Subject:" not in chunk:
            continue
        msg = email.message_from_string(chunk.strip(), policy=email.policy.default)
        for address in msg["To"].addresses if msg["To"] else ():
            key = (address.addr_spec.lower(), str(msg["Subject"]))
            counts[key] = counts.get(key, 0) + 1
    return counts


def settle(app: App, limit: float):
    """Wait until every due case is flagged and the reminder deliveries are done, or LIMIT s."""
    deadline = time.time() + limit
    state = {}
    while time.time() < deadline:
        state = shell_json(app.env, PROGRESS)
        if not state["due_unflagged"] and not state["deliveries_open"]:
            break
        time.sleep(5)
    return state


def percentile(entry, q):
    return entry.get_response_time_percentile(q) if entry.num_requests else None


def run(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="zhichan-load-"))
    os.chmod(folder, 0o755)  # noqa: S103 - the cluster's user (postgres, when run as root) enters it
    pg, redis = Postgres(folder / "pg"), Redis(folder / "redis")
    app = None
    try:
        log(f"temporary directory {folder}")
        pg.start()
        redis.start()
        log(f"PostgreSQL on port {pg.port}, Redis on port {redis.port}")
        app = App(folder, pg, redis, args)
        info = app.load(args.reminders)
        SHARED.region = info["region"]
        SHARED.guides = ["TM-REG"]
        app.start_web()
        app.start_worker()
        SHARED.port = app.port
        log(f"gunicorn on port {app.port} ({args.web_workers}×{args.web_threads}), worker up")
        guides = re.findall(r'href="/services/([A-Z0-9-]+)/"', _get_text(app.port, "/services/"))
        SHARED.guides = sorted(set(guides)) or ["TM-REG"]
        Browser.wait_time = between(args.think / 4, args.think) if args.think else constant(0)
        env = Environment(
            user_classes=[Visitor, Searcher, Screener, Filer, Staff],
            events=events,
            host=f"http://127.0.0.1:{app.port}",
        )
        env.create_local_runner()
        faults = Faults()
        # The worker's scheduler runs the case timers every 60 s from its own start: plan the run
        # so that a tick falls at 1/3, where the worker is killed while the timers send.
        tick = app.wait_for_timers(90)
        start_at = time.time() + 20
        if args.faults and tick:
            start_at += (tick - (start_at + args.duration / 3)) % 60
        ahead = start_at - time.time()
        shell_json(
            app.env, ARM, BENCH_IDS=json.dumps(info["reminders"]),
            BENCH_FIRST=ahead + 5, BENCH_LAST=ahead + args.duration * 0.9,
        )  # fmt: skip
        time.sleep(max(0.0, start_at - time.time()))
        load_before = load_average()
        log(f"running {args.users} users for {args.duration} s (load average {load_before[0]:.2f})...")
        started = time.time()
        env.runner.start(args.users, spawn_rate=max(args.users / 5, 1))
        injector = gevent.spawn(inject, app, pg, args.duration, faults, args.pg_stop) if args.faults else None
        gevent.sleep(args.duration)
        env.runner.quit()
        ended = time.time()
        if injector is not None:
            injector.join(timeout=60)
        load_after = load_average()
        log(f"run over (load average {load_after[0]:.2f}); waiting for the reminders (≤ {args.settle} s)")

        # Recovery: /healthz, then every page and search once per web thread (a thread whose kept
        # database connection died in the restart would answer 500 here), no manual step between.
        recovery = time.time()
        while http_status(app.port) != 200 and time.time() - recovery < 60:
            time.sleep(0.5)
        health = http_status(app.port)
        recovered_in = time.time() - recovery
        probes = [path for path, _ in PAGES] + [
            "/ipdata/search/?" + urlencode({"q": "电池"}),
            "/screening/?" + urlencode({"mark": "晋中", "classes": "30"}),
        ]
        probe_codes = [
            http_status(app.port, path) for _ in range(args.web_workers * args.web_threads) for path in probes
        ]
        probe = {"requests": len(probe_codes), "ok": probe_codes.count(200)}
        settle(app, args.settle)
        subs_file = folder / "submissions.json"
        subs_file.write_text(json.dumps(SHARED.submissions))
        checked = shell_json(app.env, CHECK, BENCH_END=ended, BENCH_SUBMISSIONS=subs_file, BENCH_TAG=RUN_TAG)
        outcome = Outcome(
            started, ended, faults, (load_before, load_after), health, recovered_in, probe, checked
        )
        return report(args, env, app, outcome)
    finally:
        if app is not None:
            app.stop()
        redis.stop()
        pg.stop()
        if args.keep:
            log(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _get_text(port, path) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n\r\n".encode())
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks).decode("utf-8", errors="replace")


@dataclass
class Outcome:
    started: float
    ended: float
    faults: Faults
    loads: tuple
    health: int
    recovered_in: float
    probe: dict
    checked: dict


def fmt_ms(value):
    return "—" if value is None else f"{value:.0f}"


def report(args, env, app, out: Outcome) -> int:
    seconds = out.ended - out.started
    faults = out.faults
    # Expected failures: while PostgreSQL restarts, and GRACE seconds after it is up again.
    window = (faults.pg_restart_began, faults.pg_restart_done + args.grace) if args.faults else None
    unexpected, reasons = {}, {}
    for at, name, reason in SHARED.failures:
        if window is None or not window[0] <= at <= window[1]:
            unexpected[name] = unexpected.get(name, 0) + 1
        reasons.setdefault(name, {}).setdefault(reason, 0)
        reasons[name][reason] += 1
    rows = []
    for (name, method), entry in sorted(env.stats.entries.items()):
        rows.append({
            "endpoint": name, "method": method, "requests": entry.num_requests,
            "failures": entry.num_failures, "unexpected_failures": unexpected.get(name, 0),
            "req_per_s": entry.num_requests / seconds, "median_ms": percentile(entry, 0.5),
            "p95_ms": percentile(entry, 0.95),
        })  # fmt: skip
    total = env.stats.total
    print()
    print(
        f"# load.py: {args.users} users, {seconds:.0f} s, faults {'on' if args.faults else 'off'}, "
        f"gunicorn {args.web_workers} workers × {args.web_threads} threads, "
        f"load average {out.loads[0][0]:.2f} before, {out.loads[1][0]:.2f} after"
    )
    for note in faults.notes:
        print(f"  {note}")
    print()
    header = f"{'endpoint':<22} {'requests':>8} {'failed':>7} {'unexp.':>7} {'req/s':>7} {'median ms':>10}"
    header += f" {'p95 ms':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['endpoint']:<22} {r['requests']:>8} {r['failures']:>7} {r['unexpected_failures']:>7} "
            f"{r['req_per_s']:>7.1f} {fmt_ms(r['median_ms']):>10} {fmt_ms(r['p95_ms']):>8}"
        )
    print("-" * len(header))
    print(
        f"{'all':<22} {total.num_requests:>8} {total.num_failures:>7} {sum(unexpected.values()):>7} "
        f"{total.num_requests / seconds:>7.1f} {fmt_ms(percentile(total, 0.5)):>10} "
        f"{fmt_ms(percentile(total, 0.95)):>8}"
    )
    if args.faults:
        print(f"(unexp.: failures outside the PostgreSQL restart and the {args.grace:.0f} s after it)")
    for name, seen in sorted(reasons.items()):
        print(
            f"  {name}: "
            + "; ".join(f"{n}× {reason}" for reason, n in sorted(seen.items(), key=lambda x: -x[1])[:3])
        )

    subs = out.checked["submissions"]
    rem = out.checked["reminders"]
    emails = sent_emails(app.mail)
    problems, sent_once = [], 0
    for d in rem["deliveries"]:
        copies = d.get("sent_copies")
        if d["channel"] == "email":
            copies = sum(
                n
                for (addr, subj), n in emails.items()
                if addr == d["address"].lower() and subj == d["subject"]
            )
        if d["status"] == "sent" and copies == 1:
            sent_once += 1
        else:
            problems.append(
                f"{d['kind']} case {d['case_id']} {d['channel']} {d['address']}: {d['status']}, "
                f"sent {copies}×, {d['attempts']} attempt(s)"
            )
    checks = {
        "acknowledged submissions stored exactly once": not (
            subs["acknowledged_missing"] or subs["acknowledged_other_case"] or subs["stored_twice"]
        ),
        "due reminders sent exactly once": not (
            rem["due_unflagged"] or rem["flagged_without_notice"] or rem["duplicate_notices"]
            or rem["duplicate_deliveries"] or problems
        ),
        "recovered without a manual step": out.health == 200
        and out.probe["ok"] == out.probe["requests"]
        and not sum(unexpected.values()),
    }  # fmt: skip
    print()
    print(
        f"submissions: {subs['sent']} sent, {subs['acknowledged']} acknowledged, {subs['stored']} stored "
        f"({subs['stored_unacknowledged']} stored without an acknowledgement: the answer was lost); "
        f"acknowledged but missing {len(subs['acknowledged_missing'])}, answered with another case "
        f"{len(subs['acknowledged_other_case'])}, stored twice {len(subs['stored_twice'])}"
    )
    print(
        f"reminders: {rem['due_cases']} cases fell due, {len(rem['due_unflagged'])} not flagged; notices "
        f"{rem['notices_by_kind']}, duplicated {len(rem['duplicate_notices'])}; deliveries "
        f"{len(rem['deliveries'])}, sent exactly once {sent_once}, "
        f"duplicated {len(rem['duplicate_deliveries'])}"
    )
    for problem in problems[:10]:
        print(f"  {problem}")
    print(f"other deliveries (intake notices): {out.checked['other_deliveries']}")
    print(
        f"recovery: /healthz {out.health} ({out.recovered_in:.1f} s after the run); pages, search and "
        f"screening once per web thread: {out.probe['ok']}/{out.probe['requests']} answered 200"
    )
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAILED'}] {name}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "users": args.users, "seconds": seconds, "faults": faults.notes, "load_average": out.loads,
            "endpoints": rows, "failure_reasons": reasons, "submissions": subs,
            "reminders": {k: v for k, v in rem.items() if k != "deliveries"}, "delivery_problems": problems,
            "other_deliveries": out.checked["other_deliveries"], "health": out.health, "probe": out.probe,
            "checks": checks,
        }, indent=2, default=str))  # fmt: skip
    return 0 if all(checks.values()) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    parser.add_argument(
        "--no-faults", dest="faults", action="store_false", help="no worker kill, no PG restart"
    )
    parser.add_argument("--pg-stop", choices=["fast", "immediate"], default="fast",
                        help="pg_ctl restart mode (default fast)")  # fmt: skip
    parser.add_argument("--reminders", type=int, default=12, help="cases falling due in the run (default 12)")
    parser.add_argument(
        "--settle", type=float, default=150, help="seconds to wait for the reminders after the run"
    )
    parser.add_argument(
        "--grace", type=float, default=5, help="seconds after PG is up during which failures are expected"
    )
    parser.add_argument("--think", type=float, default=2.0,
                        help="longest pause of a user between actions, s (default 2; 0: none)")  # fmt: skip
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, mail)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    sys.exit(run(args))


if __name__ == "__main__":
    main()
