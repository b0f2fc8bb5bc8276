import pytest

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/profile/")


@pytest.mark.parametrize(
    ("who", "agency", "region"),
    [
        ("public", None, None),
        ("staff_a", "甲区知识产权服务中心", None),
        ("agency_admin_b", "乙县商标品牌指导站", None),
        ("county_admin_a", None, "甲区"),
        ("city_admin", None, "测试市"),
    ],
)
def test_my_account_shows_role_agency_and_region(client, world, who, agency, region):
    user = getattr(world.users, who)
    client.force_login(user)
    response = client.get(PROFILE)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-testid="profile-role">{user.get_role_display()}<' in page
    assert ('data-testid="profile-agency"' in page) == (agency is not None)
    assert ('data-testid="profile-region"' in page) == (region is not None)
    if agency:
        assert f'data-testid="profile-agency">{agency}<' in page
    if region:
        assert f'data-testid="profile-region">{region}<' in page


def test_the_nav_links_to_my_account(client, world):
    client.force_login(world.users.public)
    assert 'href="/accounts/profile/"' in client.get("/").content.decode()
