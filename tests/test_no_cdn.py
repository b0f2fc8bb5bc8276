"""Every static asset is served by the app: no page may load a script or style from another host."""

import re

import pytest

EXTERNAL = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//""", re.I)


@pytest.mark.parametrize("path", ["/", "/api/v1/docs", "/accounts/login/"])
def test_pages_load_assets_from_the_app(client, world, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
