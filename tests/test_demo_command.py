"""`zhichan demo`: sets up the demo data and accounts idempotently, and serves portal + worker."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency
from zhichan.cases.models import Case, CaseEvent
from zhichan.catalog.models import GuideVersion, ServiceItem
from zhichan.custody.models import Custody
from zhichan.diagnosis.models import Questionnaire
from zhichan.enterprises.models import Enterprise
from zhichan.evaluation.models import DailyCount, RectificationNotice, Scorecard, ScorecardRun
from zhichan.fairs.models import Fair
from zhichan.finance.models import LoanProduct
from zhichan.ipdata.models import ImportJob, IndustryDefinition, Patent, Trademark
from zhichan.practices.models import Practice
from zhichan.providers.models import ProviderApplication
from zhichan.regions.models import Region
from zhichan.surveys.models import Response, Survey
from zhichan.training.models import TrainingEvent

DEMO_USERS = {
    "demo-public": Role.PUBLIC,
    "demo-enterprise": Role.ENTERPRISE,
    "demo-staff": Role.AGENCY_STAFF,
    "demo-agency-admin": Role.AGENCY_ADMIN,
    "demo-county-admin": Role.COUNTY_ADMIN,
    "demo-city-admin": Role.CITY_ADMIN,
    "demo-bank": Role.AGENCY_STAFF,
    "demo-provider-admin": Role.AGENCY_ADMIN,
}


def run_demo():
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    return out.getvalue()


def printed_accounts(output):
    """username -> password from the lines the command prints under the accounts heading."""
    accounts = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in DEMO_USERS:
            accounts[parts[0]] = parts[1]
    return accounts


def snapshot():
    return {
        "regions": sorted(Region.objects.values_list("code", "name", "parent_id", "boundary__geometry")),
        "agencies": sorted(Agency.objects.values_list("pk", "name", "status", "updated_at")),
        "items": sorted(ServiceItem.objects.values_list("code", "current_id", "updated_at")),
        "guides": GuideVersion.objects.count(),
        "users": sorted(User.objects.values_list("username", "password", "role", "agency_id", "region_id")),
        "provider_applications": sorted(
            ProviderApplication.objects.values_list("pk", "status", "updated_at")
        ),
        "cases": sorted(Case.objects.values_list("number", "status", "deadline")),
        "events": CaseEvent.objects.count(),
        "fairs": sorted(Fair.objects.values_list("pk", "name", "updated_at")),
        "ipdata": (Patent.objects.count(), Trademark.objects.count(), Enterprise.objects.count()),
        "import_jobs": sorted(ImportJob.objects.values_list("pk", "status", "created_count")),
        "industries": sorted(IndustryDefinition.objects.values_list("pk", "name", "updated_at")),
        "custodies": sorted(Custody.objects.values_list("pk", "enterprise_id", "updated_at")),
        "questionnaires": sorted(Questionnaire.objects.values_list("code", "version", "active")),
        "loan_products": sorted(LoanProduct.objects.values_list("pk", "updated_at")),
        "training": sorted(TrainingEvent.objects.values_list("pk", "title", "status", "updated_at")),
        "surveys": sorted(Survey.objects.values_list("pk", "status", "updated_at")),
        "survey_responses": Response.objects.count(),
        "practices": sorted(Practice.objects.values_list("pk", "status", "updated_at")),
        "rectification": sorted(RectificationNotice.objects.values_list("pk", "status", "updated_at")),
        "runs": sorted(ScorecardRun.objects.values_list("pk", "status", "computed_at")),
    }


@pytest.mark.django_db
def test_demo_loads_the_bundle_and_a_second_run_changes_nothing():
    # One test for both: building the demo is the slowest step of the suite.
    output = run_demo()
    assert Region.objects.filter(code="140703").exists()
    assert ServiceItem.objects.filter(code="TM-REG", published=True).exists()
    assert Agency.objects.filter(region__code__startswith="140703", type="tm_window").exists()

    accounts = printed_accounts(output)
    assert set(accounts) == set(DEMO_USERS), output
    for username, password in accounts.items():
        user = User.objects.get(username=username)
        assert user.role == DEMO_USERS[username]
        assert user.check_password(password), f"the printed password of {username} does not work"
        user.full_clean()  # staff have an agency, the county admin a county
    assert User.objects.get(username="demo-county-admin").region.kind == "county"
    # Sample requests at several stages, handled by the demo staff, one of them rated.
    samples = Case.objects.exclude(idempotency_key__startswith="demo-history-")
    statuses = sorted(samples.values_list("status", flat=True))
    assert statuses == ["accepted", "closed", "new", "new", "waiting_supplement"], statuses
    assert samples.filter(rating__level="satisfied").count() == 1
    # A year of past requests for the evaluation's trends, and the daily counts built from all.
    history = Case.objects.filter(idempotency_key__startswith="demo-history-")
    assert len({(c.created_at.year, c.created_at.month) for c in history}) >= 11
    assert DailyCount.objects.filter(key="received").aggregate(n=Sum("value"))["n"] == Case.objects.count()
    # The parks' workstations have figures of their own (the counts keep a park's region), and a
    # scorecard scores the parks.
    assert DailyCount.objects.filter(key="received", region__kind="park").exists()
    assert Scorecard.objects.filter(level="park").exists()
    # Every demo scorecard run for the last quarter; the county one published with findings.
    runs = ScorecardRun.objects.all()
    assert {r.level for r in runs} == {"county", "park", "agency"} and len({r.period for r in runs}) == 1
    published = runs.get(status="published")
    assert published.level == "county" and published.findings and published.results.exists()
    fair = Fair.objects.get()
    assert fair.starts_at < timezone.now() < fair.ends_at and fair.workstation.region.code == "140703"
    assert Case.objects.exclude(status="new").filter(handler__username="demo-staff").count() == 3
    # An approved university provider with a free offer in the catalogue and an application for it.
    provider = User.objects.get(username="demo-provider-admin").agency
    assert (provider.type, provider.status, provider.region.code) == ("university", "operating", "140703")
    offer_item = ServiceItem.objects.get(provider=provider)
    assert offer_item.published and offer_item.offer.is_free
    assert Case.objects.get(service_item=offer_item).owner == provider
    # Generated patents and trademarks imported like an administrator's files, linked to the city.
    assert list(ImportJob.objects.values_list("status", "error_count")) == [("done", 0), ("done", 0)]
    assert Patent.objects.count() == 3000 and Trademark.objects.count() == 2000
    assert Patent.objects.filter(region__code="140702", enterprises__isnull=False).exists()
    assert Enterprise.objects.filter(patents__isnull=False, uscc__isnull=False).exists()
    # The bundle's industry definitions, shared with the staff.
    farm = IndustryDefinition.objects.get(name="现代农业装备")
    assert farm.shared and farm.owner is None and farm.to_query() == "(IPC=A01B OR IPC=A01C OR IPC=A01D)"
    # A custody of a local enterprise's portfolio by the demo agency; the demo enterprise user
    # represents that enterprise.
    custody = Custody.objects.get()
    assert custody.agency == User.objects.get(username="demo-staff").agency
    assert custody.patents.exists() or custody.trademarks.exists()
    assert User.objects.get(username="demo-enterprise").enterprise == custody.enterprise
    # The risk-diagnosis questionnaire, its references checked against the loaded catalogue and laws.
    assert Questionnaire.objects.active().code == "sme-ip-risk"
    # The consortium's bank: a staff account and a published loan product.
    bank = User.objects.get(username="demo-bank").agency
    assert bank.type == "financial" and LoanProduct.objects.get(institution=bank).published
    # Published training events of the demo agency, upcoming, one of them for agency staff.
    training = TrainingEvent.objects.upcoming().filter(organiser=custody.agency)
    assert training.count() == 3 and training.filter(audience="agency_staff").exists()
    # An open city-wide survey with anonymous answers, and last quarter's closed one; four
    # published good-practice write-ups of the demo agency.
    open_survey = Survey.objects.accepting().get()
    assert open_survey.region.kind == "city" and open_survey.questions.count() == 8
    assert open_survey.responses.exists()
    closed = Survey.objects.get(status="closed")
    assert closed.closes_on < open_survey.opens_on and closed.responses.count() > 20
    assert Practice.objects.published().filter(agency=custody.agency).count() == 4
    # A rectification notice to the demo agency, answered by its administrator and accepted.
    notice = RectificationNotice.objects.get()
    assert notice.agency == custody.agency and notice.status == "accepted"
    assert notice.responses.get().decision == "accepted" and notice.agency.status == "operating"

    # A second run creates and changes nothing, and prints no passwords.
    before = snapshot()
    output = run_demo()
    assert printed_accounts(output) == {}
    assert "0 created, 0 updated" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        run_demo()
    assert not User.objects.exists()
    assert not Region.objects.exists()


# --- the real thing: portal and task worker as processes -----------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_pids(pid):
    """Direct children of `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def argv(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get_status(url):
    # A generous timeout: the first page of a fresh server on a busy machine can take seconds.
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - local test server
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


@pytest.fixture(scope="module")
def demo_data_dir(tmp_path_factory):
    """One data directory for the serving tests of a worker: the first starts from nothing (the
    whole set-up), a next one on the same worker from what it left, as `make demo` run a second
    time does."""
    return tmp_path_factory.mktemp("demo") / "data"


@pytest.fixture
def demo_process(tmp_path, demo_data_dir):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(ZHICHAN_DATA_DIR=str(demo_data_dir), ZHICHAN_ENV="demo", PYTHONUNBUFFERED="1")
    log = (tmp_path / "demo.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhichan", "demo", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if get_status(base + "/") == 200:
            break
        time.sleep(0.5)
    yield proc, base, tmp_path / "demo.log"
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log.close()


def wait_until_gone(pids, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.2)
    return [p for p in pids if alive(p)]


def started_processes(proc):
    children = child_pids(proc.pid)
    worker = [p for p in children if argv(p)[-3:-1] == ["zhichan", "worker"]]
    server = [p for p in children if "gunicorn" in argv(p)]
    return worker, server, children


@pytest.mark.smoke
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the processes")
@pytest.mark.parametrize("how", ["process group", "main process only"])
def test_demo_serves_the_portal_and_stops_with_its_worker(demo_process, how):
    proc, base, log = demo_process
    assert proc.poll() is None, log.read_text()
    assert get_status(base + "/") == 200, log.read_text()
    assert get_status(base + "/api/v1/regions/") == 200
    assert get_status(base + "/static/vendor/bootstrap/bootstrap.min.css") == 200

    worker, server, children = started_processes(proc)
    assert len(worker) == 1 and alive(worker[0]), f"no task worker among {children}"
    assert len(server) == 1, f"no gunicorn among {children}"
    everything = [proc.pid, *children, *[g for s in server for g in child_pids(s)]]

    if how == "process group":
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        # What a service manager does: only the main process is told.
        proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert wait_until_gone(everything) == [], log.read_text()
    assert get_status(base + "/") is None
