"""The product library: goods saved once and reused, checked by the rules of ``origincert
validate`` (each problem at its field), seen and changed only by the company's own users, in
the pages and in the API."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from origincert.desk import products
from origincert.desk.errors import Conflict, Forbidden, Invalid, NotFound
from origincert.desk.models import Event, Product

from .support import PASSWORD, Desk

CHAIR = {
    "hs_code": "940171",
    "description": "UPHOLSTERED OFFICE CHAIRS",
    "origin_criterion.code": "RVC",
    "origin_criterion.percentage": "45",
    "country_of_origin": "DE",
    "quantity.unit": "PCE",
    "packages.kind": "CT",
}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def count(desk: Desk) -> int:
    with desk.sessions() as db:
        return db.scalar(select(func.count(Product.id)))


def test_a_product_is_saved_with_its_fields_nested_as_in_a_goods_item(desk: Desk) -> None:
    with desk.sessions.begin() as db:
        p = products.save_product(db, desk.actor("alice"), "Office chair", CHAIR)
        assert p.item == {
            "hs_code": "940171", "description": "UPHOLSTERED OFFICE CHAIRS",
            "origin_criterion": {"code": "RVC", "percentage": "45"}, "country_of_origin": "DE",
            "quantity": {"unit": "PCE"}, "packages": {"kind": "CT"},
        }  # fmt: skip
        assert db.scalar(select(Event.action).order_by(Event.id.desc())) == "product_saved"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"hs_code": "12AB"}, "hs_code", "must be"),
        ({"hs_code": ""}, "hs_code", "is required"),
        ({"description": ""}, "description", "is required"),
        ({"country_of_origin": "Germany"}, "country_of_origin", "must be an ISO 3166-1"),
        ({"origin_criterion.code": "XYZ"}, "origin_criterion.code", "must be"),
        ({"origin_criterion.percentage": ""}, "origin_criterion.percentage",
         "is required with criterion RVC"),
        ({"origin_criterion.code": "WO"}, "origin_criterion.percentage",
         "is not used with criterion WO"),
        ({"origin_criterion.percentage": "140"}, "origin_criterion.percentage", "must be"),
        ({"quantity.unit": "pieces!"}, "quantity.unit", "must be"),
    ],
)  # fmt: skip
def test_each_bad_field_is_named_and_nothing_is_saved(desk: Desk, change, field, message) -> None:
    with desk.sessions.begin() as db, pytest.raises(Invalid) as caught:
        products.save_product(db, desk.actor("alice"), "Chair", {**CHAIR, **change})
    fields = dict(caught.value.problems)
    assert field in fields and fields[field].startswith(message), caught.value.problems
    assert count(desk) == 0


def test_names_are_unique_per_company_not_across(desk: Desk) -> None:
    with desk.sessions.begin() as db:
        products.save_product(db, desk.actor("alice"), "Chair", CHAIR)
        products.save_product(db, desk.actor("bob"), "Chair", CHAIR)
    with desk.sessions.begin() as db, pytest.raises(Conflict) as caught:
        products.save_product(db, desk.actor("aaron"), "Chair", CHAIR)
    assert caught.value.problems == [("name", "is the name of another of your products")]


def test_only_the_companys_users_see_or_change_a_product(desk: Desk) -> None:
    with desk.sessions.begin() as db:
        pid = products.save_product(db, desk.actor("alice"), "Chair", CHAIR).public_id
    with desk.sessions.begin() as db:
        assert products.get_product(db, desk.actor("aaron"), pid).name == "Chair"  # colleague
        assert [p.name for p in products.products_for(db, desk.actor("aaron"))] == ["Chair"]
        for stranger in ("bob", "sam"):
            assert products.products_for(db, desk.actor(stranger)) == []
            with pytest.raises(NotFound):
                products.get_product(db, desk.actor(stranger), pid)
            with pytest.raises(NotFound):
                products.save_product(db, desk.actor(stranger), "Mine", CHAIR, public_id=pid)
            with pytest.raises(NotFound):
                products.delete_product(db, desk.actor(stranger), pid)
        for clerk in ("clara", "otto"):
            with pytest.raises(Forbidden):
                products.get_product(db, desk.actor(clerk), pid)


def test_every_product_url_and_api_call_is_404_for_another_company(app, desk: Desk, keys) -> None:
    with desk.sessions.begin() as db:
        pid = products.save_product(db, desk.actor("alice"), "Chair", CHAIR).public_id
    body = {
        "name": "Taken",
        "item": {"hs_code": "940171", "description": "X", "country_of_origin": "DE"},
    }
    rules = [r for r in app.url_map.iter_rules() if "product_id" in r.arguments]
    assert len(rules) >= 2
    tried = 0
    for stranger in ("bob", "sam"):
        api = app.test_client()
        web = app.test_client()
        assert (
            web.post(
                "/login", data={"email": f"{stranger}@example.org", "password": PASSWORD}
            ).status_code
            == 302
        )
        for rule in rules:
            url = rule.build({"product_id": pid}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if url.startswith("/api/"):
                    r = api.open(url, method=method, headers=auth(keys[stranger]), json=body)
                else:
                    r = web.open(
                        url, method=method, data={"name": "Taken", "action": "delete", **CHAIR}
                    )
                assert r.status_code == 404, (stranger, method, url, r.status_code)
                assert b"UPHOLSTERED" not in r.data
                tried += 1
        listing = api.get("/api/v1/products", headers=auth(keys[stranger])).json
        assert listing == {"products": []}
        assert b"Chair" not in web.get("/exporter/products").data
    assert tried >= 10
    with desk.sessions() as db:
        [only] = db.scalars(select(Product)).all()
        assert (only.name, only.item["hs_code"]) == ("Chair", "940171")


def test_the_api_saves_lists_changes_and_deletes(app, desk: Desk, keys) -> None:
    client = app.test_client()
    item = {"hs_code": "940171", "description": "CHAIRS", "origin_criterion": {"code": "CTC"},
            "country_of_origin": "DE"}  # fmt: skip
    made = client.post(
        "/api/v1/products", json={"name": "Chair", "item": item}, headers=auth(keys["alice"])
    )
    assert made.status_code == 201, made.json
    pid = made.json["id"]
    assert made.json["item"] == item
    bad = client.put(f"/api/v1/products/{pid}", headers=auth(keys["alice"]),
                     json={"name": "Chair", "item": {**item, "hs_code": "1", "price": "3"}})  # fmt: skip
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json["problems"]} == {"item.price"}
    bad = client.put(f"/api/v1/products/{pid}", headers=auth(keys["alice"]),
                     json={"name": "Chair", "item": {**item, "hs_code": "1"}})  # fmt: skip
    assert [p["field"] for p in bad.json["problems"]] == ["hs_code"]
    assert client.get(f"/api/v1/products/{pid}", headers=auth(keys["alice"])).json["item"] == item
    assert client.delete(f"/api/v1/products/{pid}", headers=auth(keys["alice"])).status_code == 204
    assert count(desk) == 0


def test_the_library_page_shows_errors_at_the_field(app, desk: Desk) -> None:
    client = app.test_client()
    client.post("/login", data={"email": "alice@example.org", "password": PASSWORD})
    page = client.post("/exporter/products", data={"name": "Chair", **CHAIR, "hs_code": "12AB"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'id="err-hs_code" role="alert" data-live>must be' in text
    assert count(desk) == 0
    ok = client.post("/exporter/products", data={"name": "Chair", **CHAIR})
    assert ok.status_code == 302
    assert "UPHOLSTERED OFFICE CHAIRS" in client.get("/exporter/products").get_data(as_text=True)
