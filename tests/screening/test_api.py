URL = "/api/v1/screening/"


def test_screening_api_is_anonymous_and_ranked(client, register):
    response = client.post(URL, {"mark": "雷碧", "classes": [32]}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["risk"] == "high"
    assert body["classes"] == [32]
    hit = body["hits"][0]
    assert hit["registration_number"] == "9000002"
    assert hit["relation"] == "class_asked"
    assert [reason["code"] for reason in hit["reasons"]] == ["glyph"]
    assert hit["reasons"][0]["detail"] == "雷/雪"


def test_screening_api_goods(client, register):
    response = client.post(URL, {"mark": "康师傅", "goods": ["方便面"]}, content_type="application/json")
    assert response.status_code == 200
    assert "3009" in response.json()["groups"]


def test_screening_api_bad_input_names_fields(client, db, english):
    response = client.post(
        URL, {"mark": "  ", "classes": [0], "groups": ["12"]}, content_type="application/json"
    )
    assert response.status_code == 422
    fields = {item["field"] for item in response.json()["detail"]}
    assert fields == {"mark", "classes", "groups"}


def test_screening_api_schema_limits(client, db):
    response = client.post(URL, {"mark": "x" * 500, "classes": [30]}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "mark"
