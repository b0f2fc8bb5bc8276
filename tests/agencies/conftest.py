import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""
