"""Bulk import from CSV (API and the exporter's page): one row per goods item grouped by the
reference column, the columns the document's paths, all or none, every problem named by row and
column in words; the template CSV imports as it is."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import func, select

from origincert.desk import create_app, products
from origincert.desk.csvimport import COLUMNS, template_csv
from origincert.desk.models import Application

from .support import PASSWORD, Desk

URL = "/api/v1/applications/import.csv"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "text/csv"}


def rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(template_csv())))


def to_csv(data: list[dict[str, str]], columns: Any = COLUMNS) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\r\n")
    w.writeheader()
    w.writerows(data)
    return buf.getvalue().encode()


def count(desk: Desk) -> int:
    with desk.sessions() as db:
        return db.scalar(select(func.count(Application.id)))


def problems(answer: Any) -> dict[str, str]:
    return {p["field"]: p["message"] for p in answer.json["problems"]}


def test_the_template_imports_as_it_is_and_is_submitted(app, desk: Desk, keys) -> None:
    client = app.test_client()
    answer = client.post(
        URL + "?submit=true&declaration=true", data=template_csv(), headers=auth(keys["alice"])
    )
    assert answer.status_code == 201, answer.json
    [one] = answer.json["applications"]
    assert one["reference"] == "PO-1001" and one["status"] == "submitted"
    with desk.sessions() as db:
        app_row = db.scalar(select(Application))
        assert [g["item_number"] for g in app_row.document["goods"]] == [1, 2]
        assert app_row.document["producer"]["name"] == "Lotus Home Textiles Ltd."
        assert app_row.declared_by == desk.users["alice"].id


def test_rows_group_by_reference_and_products_fill_items(app, desk: Desk, keys) -> None:
    with desk.sessions.begin() as db:
        products.save_product(db, desk.actor("alice"), "Towel", {
            "hs_code": "630291", "description": "COTTON TOWELS", "country_of_origin": "BD"})  # fmt: skip
    first, second = rows()
    other = {**first, "reference": "PO-2002"}
    second = {**second, "item.product": "Towel", "item.hs_code": "", "item.description": ""}
    answer = app.test_client().post(
        URL, data=to_csv([first, other, second]), headers=auth(keys["alice"])
    )
    assert answer.status_code == 201, answer.json
    assert [a["reference"] for a in answer.json["applications"]] == ["PO-1001", "PO-2002"]
    with desk.sessions() as db:
        docs = [a.document for a in db.scalars(select(Application).order_by(Application.id))]
    assert [len(d["goods"]) for d in docs] == [2, 1]
    assert docs[0]["goods"][1]["hs_code"] == "630291"
    assert docs[0]["goods"][1]["description"] == "COTTON TOWELS"


def test_every_problem_is_named_by_row_and_column_and_nothing_is_saved(
    app, desk: Desk, keys
) -> None:
    first, second = rows()
    good = {**first, "reference": "PO-OK"}
    bad_item = {**second, "item.hs_code": "12AB", "item.packages.count": "many"}
    wrong_form = {**first, "reference": "PO-X", "form": "FORM_Z"}
    clash = {**second, "reference": "PO-OK", "exporter.name": "Someone Else"}
    unknown = {**second, "reference": "PO-OK", "item.product": "Nope"}
    data = to_csv([good, first, bad_item, wrong_form, clash, unknown])
    answer = app.test_client().post(URL, data=data, headers=auth(keys["alice"]))
    assert answer.status_code == 422
    got = problems(answer)
    assert got["row 6, column exporter.name"].startswith("differs from row 2 of PO-OK")
    assert got["row 5, column form"].startswith("must be one of ICC_CO, EUR1")
    assert got["row 7, column item.product"] == "is not one of your saved products"
    assert count(desk) == 0
    # the parse is clean: submitting, the rules of validate speak by row and column, all or none
    answer = app.test_client().post(
        URL + "?submit=true&declaration=true", data=to_csv([good, first, bad_item]),
        headers=auth(keys["alice"]),
    )  # fmt: skip
    got = problems(answer)
    assert got == {
        "row 4, column item.hs_code (PO-1001)": got["row 4, column item.hs_code (PO-1001)"],
        "row 4, column item.packages.count (PO-1001)": "must be a whole number",
    }
    assert got["row 4, column item.hs_code (PO-1001)"].startswith("must be")
    assert count(desk) == 0


def test_a_bad_header_or_encoding_is_refused_in_words(app, keys) -> None:
    client = app.test_client()
    answer = client.post(
        URL, data=b"reference,form,price\r\nA,ICC_CO,3\r\n", headers=auth(keys["alice"])
    )
    assert problems(answer) == {"row 1, column price": "is not a column of the import"}
    answer = client.post(URL, data=b"hs_code\r\n1\r\n", headers=auth(keys["alice"]))
    assert answer.json["error"] == "csv_header"
    answer = client.post(
        URL, data="reference,form\r\nA,\xe9\r\n".encode("latin-1"), headers=auth(keys["alice"])
    )
    assert answer.json["error"] == "csv_encoding"
    assert problems(answer)["file"].startswith("is not UTF-8 text")
    answer = client.post(
        URL, data=b"reference,form\r\nA,ICC_CO,extra\r\n", headers=auth(keys["alice"])
    )
    assert problems(answer) == {"row 2": "has 3 cells; the header has 2"}
    answer = client.post(URL, data=b"reference,form\r\n", headers=auth(keys["alice"]))
    assert answer.json["error"] == "bulk_empty"


def test_more_applications_than_the_limit_are_refused_whole(
    db_url: str, desk: Desk, keys, tmp_path
) -> None:
    app = create_app(
        {"DATABASE_URL": db_url, "ARGON2_PROFILE": "CHEAPEST", "SECURE_COOKIES": False,
         "SECRET_KEY": "t", "RATELIMIT_ENABLED": False, "MAX_BULK": 2},
        instance_path=tmp_path / "small",
    )  # fmt: skip
    first, _ = rows()
    data = to_csv([{**first, "reference": f"PO-{n}"} for n in range(3)])
    answer = app.test_client().post(URL, data=data, headers=auth(keys["alice"]))
    assert answer.status_code == 422 and answer.json["error"] == "bulk_too_large"
    assert count(desk) == 0


def test_the_page_imports_and_shows_problems_by_row(app, desk: Desk) -> None:
    client = app.test_client()
    client.post("/login", data={"email": "aaron@example.org", "password": PASSWORD})
    tpl = client.get("/exporter/import/template.csv")
    assert tpl.mimetype == "text/csv" and tpl.data.decode() == template_csv()
    first, second = rows()
    bad = to_csv([first, {**second, "item.gross_weight_kg": "-3"}])
    page = client.post(
        "/exporter/import",
        data={"file": (io.BytesIO(bad), "apps.csv"), "submit": "yes", "declaration": "yes"},
    )
    assert page.status_code == 422
    assert "row 3, column item.gross_weight_kg (PO-1001)" in page.get_data(as_text=True)
    assert count(desk) == 0
    ok = client.post("/exporter/import", data={"file": (io.BytesIO(tpl.data), "apps.csv")})
    assert ok.status_code == 302
    assert count(desk) == 1
