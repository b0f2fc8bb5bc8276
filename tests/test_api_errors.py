"""Every refusal of input has one shape: {"detail": [{"field", "errors"}]} naming the field."""

import json


def test_out_of_range_pagination_names_the_field(client, world):
    response = client.get("/api/v1/agencies/?limit=100000")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "limit"


def test_unknown_filter_value_names_the_field(client, world):
    response = client.get("/api/v1/agencies/?type=nope")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["type"]


def test_schema_errors_have_the_same_shape_as_refused_values(client, world):
    client.force_login(world.users.city_admin)
    response = client.post("/api/v1/agencies/", data=json.dumps({"name": 5}), content_type="application/json")
    assert response.status_code == 422
    fields = {e["field"]: e["errors"] for e in response.json()["detail"]}
    assert set(fields) == {"name", "level", "type", "region_code"}
    assert all(isinstance(m, str) and m for errors in fields.values() for m in errors)


def test_malformed_multipart_body_is_a_400(client, world):
    client.force_login(world.users.city_admin)
    response = client.post(
        "/api/v1/agencies/", data=b"--x\r\nbroken", content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_nul_in_a_query_parameter_never_reaches_the_database(client, world):
    # PostgreSQL refuses NUL in text; the parameter is read without it.
    response = client.get("/api/v1/agencies/coverage?city=%00")
    assert response.status_code == 200
    assert response.json()["city_code"] == "990100"
    assert client.get("/api/v1/agencies/?q=%E7%94%B2%00%E5%8C%BA").json()["count"] >= 1
    assert client.get("/network/?q=a%00b").status_code == 200
