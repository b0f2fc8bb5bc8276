"""Background upkeep of the search index (run by `zhichan worker`)."""

from huey import crontab

from zhichan.core.periodic import periodic_task
from zhichan.knowledge import search


@periodic_task(crontab(minute="*/15"))
def refresh_guide_index():
    """Service guides change in the catalogue app; their index entries follow within a quarter hour.

    Writes only entries that differ, so running it again changes nothing."""
    return search.rebuild(kinds=("guide",))
