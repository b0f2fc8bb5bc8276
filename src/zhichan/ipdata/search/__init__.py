"""Patent search: the query language (query.py), the backends (backends/), the service (service.py).

The application's entry points live in service.py and are importable from here:
search_patents, aggregate_patents, index_patents, remove_patents, rebuild.
"""

_SERVICE = (
    "search_patents",
    "index_patents",
    "remove_patents",
    "rebuild",
    "status",
    "get_backend",
    "patents_for",
    "aggregate_patents",
)


def __getattr__(name):
    # Lazily, so that importing the query language does not need the app registry.
    if name in _SERVICE:
        from zhichan.ipdata.search import service

        return getattr(service, name)
    raise AttributeError(name)
