import io

from django.urls import reverse
from openpyxl import load_workbook


def test_form_is_public(client, db):
    response = client.get(reverse("screening:screening"))
    assert response.status_code == 200
    assert b'data-testid="screening-form"' in response.content
    assert b'data-testid="screening-result"' not in response.content


def test_result_shows_reasons_and_risk(client, register, english):
    response = client.get(reverse("screening:screening"), {"mark": "康帅傅", "groups": "3001"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-risk="high"' in page
    assert 'data-number="9000001"' in page
    assert 'data-reason="char_changed"' in page
    assert 'data-reason="glyph"' in page
    assert 'data-relation="same_group"' in page
    assert "One character changed" in page


def test_bad_input_comes_back_on_the_field(client, db, english):
    response = client.get(reverse("screening:screening"), {"mark": "★★", "classes": "99"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-mark"' in page
    assert "only word marks are screened" in page
    assert 'data-testid="error-classes"' in page
    assert "Unknown Nice class 99" in page
    assert 'data-testid="screening-result"' not in page


def test_export_is_the_same_result(client, register, english):
    response = client.get(reverse("screening:export"), {"mark": "康帅傅", "groups": "3001"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Proposed mark", "康帅傅"]
    assert rows[4] == ["Risk", "High"]
    header = rows.index(next(row for row in rows if row and row[0] == "Rank"))
    first = rows[header + 1]
    assert first[1] == "康师傅"
    assert first[2] == "9000001"
    assert "One character changed" in first[-1]


def test_export_of_bad_input_is_refused(client, db):
    response = client.get(reverse("screening:export"), {"mark": ""})
    assert response.status_code == 400
