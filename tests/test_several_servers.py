"""Two application servers and two task workers on one PostgreSQL and one Redis.

Each server is gunicorn with deploy/gunicorn.conf.py in production mode, on its own port with its
own data folder; the files are in one shared folder. A member of the public files a request
through server 1, staff sign in and handle it through server 2, the requester reads the reply
through server 1; the notifications the two servers enqueue are sent once; a periodic task that
two schedulers find due at the same minute runs once.
"""

import datetime as dt
import http.client
import logging
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection

from tests.test_demo_command import free_port, get_status

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Several-servers-pass-2024"
RUN_LINE = re.compile(r"periodic task ([\w.]+) runs for ([\dT:-]+)")
TASK_LINE = re.compile(
    r"Executing (zhichan\.[\w.]+): ((?:[\w.:-]+~)?[0-9a-f-]{36})"
)  # ids may carry a request id

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"),
        reason="needs DATABASE_URL on PostgreSQL and REDIS_URL",
    ),
]


def database_url():
    """The test database, as the servers must reach it."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Client:
    """A browser reduced to what the test needs: cookies, CSRF tokens, redirects. It talks to the
    server as nginx would (X-Forwarded-Proto: https), so production's secure cookies apply."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def request(self, method, path, data=None):
        parts = urlsplit(self.base)
        host = parts.netloc
        headers = {"Host": host, "X-Forwarded-Proto": "https", "Accept-Language": "en"}
        if data is not None:
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{host}",
                    "Referer": f"https://{host}{path}",
                }
            )
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            conn.request(method, path, urlencode(data, doseq=True) if data is not None else None, headers)
            response = conn.getresponse()
            body = response.read().decode()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.headers, body

    def get(self, path):
        for _ in range(5):
            status, headers, body = self.request("GET", path)
            if status not in (301, 302, 303):
                return status, body
            path = urlsplit(headers["Location"]).path
        raise AssertionError("too many redirects")

    def post_form(self, path, data):
        """Fetch the form at `path` (for its CSRF token), post it, follow the redirect."""
        status, page = self.get(path)
        assert status == 200, page[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, body = self.request("POST", path, {"csrfmiddlewaretoken": token, **data})
        if status in (301, 302, 303):
            location = urlsplit(headers["Location"]).path
            return self.get(location)[1], location
        return body, path


def start(argv, env, log_path):
    log = log_path.open("w")
    return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True), log


def stop(proc, log):
    """Wait for a process told to stop; kill it when it takes too long."""
    if proc.poll() is None:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    log.close()


@pytest.fixture
def cluster(transactional_db, tmp_path):
    # One test uses it: parallel test workers would otherwise start clusters sharing one queue.
    url = database_url()
    shared = tmp_path / "shared"  # the shared file store (an NFS mount, say)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHAN_")}
    base_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    base_env.update(
        ZHICHAN_ENV="production",
        ZHICHAN_SECRET_KEY=secrets.token_urlsafe(50),
        ZHICHAN_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=url,
        REDIS_URL=os.environ["REDIS_URL"],
        ZHICHAN_SEARCH_BACKEND="postgres",
        ZHICHAN_MEDIA_ROOT=str(shared / "media"),
        ZHICHAN_CASE_FILES_ROOT=str(shared / "case-files"),
        ZHICHAN_CUSTODY_FILES_ROOT=str(shared / "custody-files"),
        ZHICHAN_MANIFEST_STATIC="0",  # no collectstatic here; nginx serves the static files
        ZHICHAN_WEB_WORKERS="1",
        ZHICHAN_WEB_THREADS="2",
        ZHICHAN_WORKER_THREADS="2",
        ZHICHAN_LOG_LEVEL="INFO",
        # Production sends by SMTP; here the workers print the mails, which the test counts.
        ZHICHAN_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    processes, servers, workers = [], [], []
    for n in (1, 2):
        port = free_port()
        env = dict(base_env, ZHICHAN_DATA_DIR=str(tmp_path / f"server{n}"), ZHICHAN_BIND=f"127.0.0.1:{port}")
        conf = str(ROOT / "deploy" / "gunicorn.conf.py")
        processes.append(
            start([sys.executable, "-m", "gunicorn", "--config", conf], env, tmp_path / f"web{n}.log")
        )
        servers.append(f"http://127.0.0.1:{port}")
        worker_log = tmp_path / f"worker{n}.log"
        processes.append(start([sys.executable, "-m", "zhichan", "worker"], env, worker_log))
        workers.append(worker_log)
    try:
        deadline = time.monotonic() + 90
        for base in servers:
            while get_status(base + "/healthz") != 200:
                assert time.monotonic() < deadline, "the servers did not start"
                assert all(p.poll() is None for p, _ in processes), [p.args for p, _ in processes]
                time.sleep(0.3)
        while not all("Huey consumer started" in w.read_text() for w in workers):
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.3)
        yield servers, workers
    finally:
        for proc, _ in processes:
            # the worker stops on SIGINT (running tasks finish), gunicorn on SIGTERM
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT if proc.args[-1] == "worker" else signal.SIGTERM)
        for proc, log in processes:
            stop(proc, log)


def executed(worker_logs):
    """(task name, task id) of every task the workers ran."""
    return [m.groups() for log in worker_logs for m in TASK_LINE.finditer(log.read_text())]


def wait_for(check, seconds=20):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def staff(world, settings):
    from zhichan.cases.models import RoutingRule

    RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    # The servers use Django's default password hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = world.users.staff_a
    user.set_password(PASSWORD)
    user.email = "staff-a@example.org"
    user.save()
    return user


def test_two_servers_and_two_workers_share_the_work(staff, cluster, caplog):
    from django.utils.module_loading import autodiscover_modules
    from huey.consumer import Scheduler
    from huey.contrib.djhuey import HUEY

    from zhichan.cases.models import Case
    from zhichan.notices.models import Delivery

    (server1, server2), workers = cluster

    # The public files a complaint through server 1 (a real form post, with its CSRF token).
    public = Client(server1)
    page, tracking = public.post_form(
        "/requests/new/",
        {
            "type": "complaint",
            "region": "990102",
            "subject": "Window gave no renewal advice",
            "description": "Nobody told us what a trademark renewal needs.",
            "requester_name": "Zhao Liu",
            "requester_email": "zhao@example.org",
        },
    )
    assert tracking.startswith("/track/"), page[:3000]
    case = Case.objects.get()
    assert case.owner == staff.agency and case.status == "new"

    # Staff sign in through server 2 and handle it there.
    desk = Client(server2)
    page, location = desk.post_form("/accounts/login/", {"username": staff.username, "password": PASSWORD})
    assert location != "/accounts/login/", page[:3000]
    page, _ = desk.post_form(f"/cases/{case.pk}/", {"action": "accept", "note": ""})
    assert 'data-status="accepted"' in page
    page, _ = desk.post_form(
        f"/cases/{case.pk}/", {"action": "reply", "message": "Renewal: within twelve months before expiry."}
    )
    assert 'data-status="replied"' in page
    # The session made on server 2 is good on server 1 too (sessions live in the database).
    desk.base = server1
    status, page = desk.get(f"/cases/{case.pk}/")
    assert status == 200 and 'data-status="replied"' in page

    # The requester follows the tracking link on server 1 and reads the reply.
    assert tracking == f"/track/{case.tracking_token}/"
    status, page = Client(server1).get(tracking)
    assert status == 200
    assert 'data-status="replied"' in page
    assert "within twelve months before expiry" in unescape(page)

    # The notices both servers enqueued (received, new case, reply) are each sent once, by one
    # of the two workers: every task ran once, and every delivery was attempted once.
    def all_sent():
        return Delivery.objects.filter(case_id=case.pk).exclude(status="sent").count() == 0

    wait_for(lambda: Delivery.objects.filter(case_id=case.pk).count() >= 3 and all_sent())
    deliveries = Delivery.objects.filter(case_id=case.pk)
    assert {d.kind for d in deliveries} >= {"case_received", "case_new", "case_replied"}
    assert all(d.attempts == 1 for d in deliveries)
    ran = executed(workers)
    sends = [task_id for name, task_id in ran if name.startswith("zhichan.notices.tasks.send_deliver")]
    assert sends and len(sends) == len(set(sends)), ran
    assert len(ran) == len({task_id for _, task_id in ran}), "a task ran twice"
    # Each e-mail went out once (the console backend writes them to the workers' output).
    for address in ("zhao@example.org", "staff-a@example.org"):
        sent = sum(len(re.findall(rf"^To: .*{re.escape(address)}", log.read_text(), re.M)) for log in workers)
        assert sent == deliveries.filter(channel="email", address=address).count() > 0, address

    # A periodic task that both workers' schedulers find due at one minute runs once.
    # A minute no other periodic task is due at (only the every-minute retry of deliveries), far
    # from any real tick, so both consumers' own schedulers never look at it.
    tick = dt.datetime(2100, 1, 1, 0, 1) + dt.timedelta(hours=random.randrange(10**6))
    label = tick.strftime("%Y-%m-%dT%H:%M")
    autodiscover_modules("tasks")  # as a consumer does at start
    caplog.set_level(logging.INFO, logger="zhichan.core.periodic")
    HUEY.immediate = False  # the tests run tasks in memory; here they go to the workers' Redis queue
    try:
        schedulers = [Scheduler(HUEY, None, 1, True) for _ in range(2)]
        for scheduler in schedulers:  # each worker's scheduler finds the task due at that minute
            scheduler.enqueue_periodic_tasks(tick + dt.timedelta(seconds=random.randrange(60)))
    finally:
        HUEY.immediate = True
    assert f"retry_deliveries for {label} was enqueued by another worker" in caplog.text
    runs = f"periodic task zhichan.notices.tasks.retry_deliveries runs for {label}"
    wait_for(lambda: sum(log.read_text().count(runs) for log in workers) >= 1)
    time.sleep(1.5)  # both workers wait on the queue (BRPOP): a second copy would have run by now
    assert sum(log.read_text().count(runs) for log in workers) == 1
    ran = executed(workers)
    assert len(ran) == len({task_id for _, task_id in ran}), "a task ran twice"
    # The workers' own schedulers, checking at start: each (task, minute) ran once in all.
    started = [m for log in workers for m in RUN_LINE.findall(log.read_text())]
    assert len(started) == len(set(started)), started
