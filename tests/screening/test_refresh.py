"""Each application server's screening index follows the database, whoever wrote the marks."""

import threading

from zhichan.ipdata.models import Trademark
from zhichan.screening import services
from zhichan.screening.services import build_lock, index_is_stale, rebuild_index, refresh_index, screen


def names(mark, classes):
    return [hit.trademark.name for hit in screen(mark, classes=classes).hits]


def test_a_mark_imported_elsewhere_reaches_this_servers_index(register, settings):
    rebuild_index()
    assert refresh_index() is False  # nothing changed since
    # Written by another machine's worker: this server's index does not have it yet.
    Trademark.objects.create(registration_number="9000012", name="雷碧", nice_class=32, status="registered")
    assert index_is_stale(services.get_index())
    assert names("雪碧", [32]) == ["雪碧"]
    assert refresh_index() is True
    assert names("雪碧", [32]) == ["雪碧", "雷碧"]
    index = services.get_index()
    assert index.delta.rows == 1 and not index_is_stale(index)
    assert refresh_index() is False


def test_a_refresh_leaves_the_index_to_a_process_already_writing_it(register, settings):
    rebuild_index()
    Trademark.objects.create(registration_number="9000012", name="雷碧", nice_class=32, status="registered")
    with build_lock(settings.ZHICHAN_SCREENING_DIR):  # e.g. the worker's import, or another gunicorn worker
        assert refresh_index() is False
    assert refresh_index() is True


def test_screenings_look_for_changes_at_most_once_a_period(register, settings, monkeypatch):
    rebuild_index()
    started = []

    def record():
        started.append(threading.current_thread().name)  # the refresh itself is tested above

    def screen_and_wait():
        screen("雪碧", classes=[32])
        thread = services._refresh["thread"]
        if thread is not None:
            thread.join(timeout=10)

    monkeypatch.setattr(services, "_refresh_in_background", record)
    monkeypatch.setitem(services._refresh, "next", 0.0)
    monkeypatch.setitem(services._refresh, "thread", None)
    settings.ZHICHAN_SCREENING_REFRESH_SECONDS = 60
    screen_and_wait()
    screen_and_wait()
    assert started == ["screening-refresh"]
    settings.ZHICHAN_SCREENING_REFRESH_SECONDS = 0
    monkeypatch.setitem(services._refresh, "next", 0.0)
    screen_and_wait()
    assert started == ["screening-refresh"]
