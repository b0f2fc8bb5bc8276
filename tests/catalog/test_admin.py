import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_shows_items_with_read_only_versions(client, world):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get("/admin/catalog/serviceitem/").status_code == 200
    page = client.get(f"/admin/catalog/serviceitem/{world.item.pk}/change/").content.decode()
    assert "versions-TOTAL_FORMS" in page
    # Versions are shown, not edited: no input for a version's time limit.
    assert 'name="versions-0-time_limit_days"' not in page
    assert client.get("/admin/catalog/serviceitem/add/").status_code == 403
