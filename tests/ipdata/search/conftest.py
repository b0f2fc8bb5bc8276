import pytest
from django.db import connection

from zhichan.ipdata.search.backends.postgres_backend import PostgresBackend
from zhichan.ipdata.search.backends.tantivy_backend import TantivyBackend
from zhichan.ipdata.search.documents import document_from_record


@pytest.fixture(params=["tantivy", "postgres"])
def backend(request, tmp_path):
    """Each backend in turn; the PostgreSQL one only when the tests run on PostgreSQL."""
    if request.param == "tantivy":
        engine = TantivyBackend(tmp_path / "index", writer_heap=20_000_000, writer_threads=1)
        yield engine
        engine.close()
    else:
        if connection.vendor != "postgresql":
            pytest.skip("the PostgreSQL search backend runs when DATABASE_URL is PostgreSQL")
        yield PostgresBackend()  # the test module is marked django_db: the test database


def load(backend, records):
    backend.index([document_from_record(r) for r in records])
    backend.commit()
    return backend
