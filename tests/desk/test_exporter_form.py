"""The application form of each certificate form: its fields named by the document's paths,
problems shown at the field in words (the rules of ``origincert validate``), goods from the
product library, autosave (CSRF-protected, answering with the field errors) and the Save draft
button that works without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from origincert.desk import create_app, fieldmap, products, service
from origincert.desk.models import Application, Event

from .support import PASSWORD, Desk, fields


def login(app: Any, who: str = "alice") -> Any:
    client = app.test_client()
    answer = client.post("/login", data={"email": f"{who}@example.org", "password": PASSWORD})
    assert answer.status_code == 302
    return client


def form_values(document: dict[str, Any]) -> dict[str, str]:
    """What a person types into the form for this document (every input by its name)."""
    flat = fieldmap.flatten(document)
    return {k: v for k, v in flat.items() if not k.endswith("item_number") and k != "schema"}


def start(client: Any, form: str) -> str:
    answer = client.post("/exporter/new", data={"form": form})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"].rsplit("/", 1)[1]


def error_at(page: str, name: str) -> str:
    m = re.search(rf'id="err-{re.escape(name)}"[^>]*>([^<]*)<', page)
    assert m is not None, f"no error slot for {name}"
    return m.group(1)


@pytest.mark.parametrize("form", list(fieldmap.APPLICATION_FORMS))
def test_each_form_asks_for_what_its_template_needs_and_saves_a_valid_draft(
    app, desk: Desk, form: str
) -> None:
    from origincert.templates import template

    client = login(app)
    public_id = start(client, form)
    page = client.get(f"/exporter/a/{public_id}").get_data(as_text=True)
    doc = template(form)
    wanted = {
        k
        for k in form_values(doc)
        if k.split(".")[0] not in ("number", "issuing_body", "issue_date", "issue_place",
                                   "valid_until", "kind", "form", "flags")
        and k != "agreement" or (k == "agreement" and form == "EUR1")
    }  # fmt: skip
    for name in wanted:
        assert f'name="{name}"' in page, f"{form} form lacks {name}"
    spec = fieldmap.spec_for(form)
    assert spec is not None
    for flag in spec.flags:
        assert f'name="flags.{flag}"' in page
    # the template's values typed in: a valid draft, no problem anywhere
    values = {k: v for k, v in form_values(doc).items() if k in wanted}
    values.update({f"flags.{f}": "" for f in spec.flags})
    saved = client.post(f"/exporter/a/{public_id}/save", data=values)
    assert saved.status_code == 200
    body = saved.get_data(as_text=True)
    assert 'id="problems"' not in body, re.findall(r"<li>.*?</li>", body)[:5]
    with desk.sessions() as db:
        app_row = db.scalar(select(Application).where(Application.public_id == public_id))
        assert app_row.document["goods"][0]["hs_code"] == doc["goods"][0]["hs_code"]
        service.submit(db, desk.actor("alice"), app_row, declaration=True)  # valid as saved


def test_a_wrong_field_is_named_at_its_input_in_words(app, desk: Desk) -> None:
    from origincert.templates import template

    client = login(app)
    public_id = start(client, "RCEP")
    values = form_values(template("RCEP"))
    values["consignee.country"] = "Germany"
    values["goods[0].packages.count"] = "many"
    page = client.post(f"/exporter/a/{public_id}/save", data=values).get_data(as_text=True)
    assert (
        error_at(page, "consignee.country")
        == "must be an ISO 3166-1 alpha-2 code in capitals, like SG"
    )
    assert error_at(page, "goods[0].packages.count") == "must be a whole number"
    assert 'class="field has-error"' in page
    # every field well-formed: the form's own rules speak, at their fields
    values = form_values(template("RCEP"))
    values["goods[0].hs_code"] = "94017100"  # RCEP prints 6 digits
    values["goods[0].origin_criterion.code"] = "P"  # a GSP code
    page = client.post(f"/exporter/a/{public_id}/save", data=values).get_data(as_text=True)
    assert error_at(page, "goods[0].hs_code") == "must be 6 digits on form RCEP"
    assert error_at(page, "goods[0].origin_criterion.code") == (
        "must be one of CR, CTC, PE, RVC, WO on form RCEP"
    )


def test_the_first_problem_of_a_field_shows_when_several(app, desk: Desk) -> None:
    client = login(app)
    public_id = start(client, "FORM_D")
    page = client.post(f"/exporter/a/{public_id}/save", data={}).get_data(as_text=True)
    assert error_at(page, "exporter") == "is required"
    assert error_at(page, "goods[0].hs_code") == "is required"


def test_autosave_saves_the_draft_and_answers_the_field_errors(app, desk: Desk) -> None:
    client = login(app)
    public_id = start(client, "ICC_CO")
    answer = client.post(
        f"/exporter/a/{public_id}/autosave",
        data={"exporter.name": "Alpha GmbH", "goods[0].hs_code": "12AB"},
    )
    assert answer.status_code == 200 and answer.json["saved"] is True
    problems = {p["field"]: p["message"] for p in answer.json["problems"]}
    assert problems["goods[0].hs_code"].startswith("must be")
    assert problems["exporter.address"] == "is required"
    with desk.sessions() as db:
        row = db.scalar(select(Application).where(Application.public_id == public_id))
        assert row.document["exporter"] == {"name": "Alpha GmbH"}
        assert row.document["goods"][0]["hs_code"] == "12AB"
        assert db.scalar(select(Event.action).order_by(Event.id.desc())) == "edited"


def test_an_unchanged_autosave_records_no_second_event(app, desk: Desk) -> None:
    client = login(app)
    public_id = start(client, "ICC_CO")
    for _ in range(3):
        answer = client.post(f"/exporter/a/{public_id}/autosave", data={"remarks": "ORDER 7"})
        assert answer.json["saved"] is True
    with desk.sessions() as db:
        actions = db.scalars(select(Event.action).order_by(Event.id)).all()
    assert actions == ["created", "edited"]


def test_autosave_of_another_companys_application_or_a_submitted_one_saves_nothing(
    app, desk: Desk
) -> None:
    client = login(app)
    public_id = start(client, "ICC_CO")
    bob = login(app, "bob")
    assert bob.post(f"/exporter/a/{public_id}/autosave", data={"remarks": "x"}).status_code == 404
    with desk.sessions.begin() as db:
        row = db.scalar(select(Application).where(Application.public_id == public_id))
        row.document = fields(1)
        service.submit(db, desk.actor("alice"), row, declaration=True)
    late = client.post(f"/exporter/a/{public_id}/autosave", data={"remarks": "changed"})
    assert late.status_code == 409 and late.json["saved"] is False
    with desk.sessions() as db:
        assert "changed" not in str(db.scalar(select(Application.document)))


def test_autosave_needs_the_csrf_token(db_url: str, desk: Desk, tmp_path) -> None:
    app = create_app(
        {"DATABASE_URL": db_url, "ARGON2_PROFILE": "CHEAPEST", "SECURE_COOKIES": False,
         "SECRET_KEY": "t", "RATELIMIT_ENABLED": False},
        instance_path=tmp_path / "csrf",
    )  # fmt: skip
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "alice@example.org", "password": PASSWORD,
                                "csrf_token": token})  # fmt: skip
    new = client.get("/exporter/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', new).group(1)
    public_id = (
        client.post("/exporter/new", data={"form": "EUR1", "csrf_token": token})
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    forged = client.post(f"/exporter/a/{public_id}/autosave", data={"remarks": "forged"})
    assert forged.status_code == 400
    ok = client.post(
        f"/exporter/a/{public_id}/autosave",
        data={"remarks": "mine"},
        headers={"X-CSRFToken": token},
    )
    assert ok.status_code == 200 and ok.json["saved"] is True
    with desk.sessions() as db:
        assert db.scalar(select(Application.document))["remarks"] == "mine"


def test_goods_come_from_the_product_library(app, desk: Desk) -> None:
    with desk.sessions.begin() as db:
        chair = products.save_product(
            db, desk.actor("alice"), "Office chair",
            {"hs_code": "940171", "description": "UPHOLSTERED OFFICE CHAIRS",
             "origin_criterion.code": "CTC", "country_of_origin": "DE", "quantity.unit": "PCE"},
        )  # fmt: skip
        chair_id = chair.public_id
    client = login(app)
    public_id = start(client, "RCEP")
    page = client.get(f"/exporter/a/{public_id}").get_data(as_text=True)
    assert f'<option value="{chair_id}">Office chair (940171)</option>' in page
    client.post(f"/exporter/a/{public_id}/save", data={"goods[0].product": chair_id,
                                                       "goods[0].hs_code": "999999"})  # fmt: skip
    with desk.sessions() as db:
        item = db.scalar(select(Application.document))["goods"][0]
    assert item["hs_code"] == "940171" and item["description"] == "UPHOLSTERED OFFICE CHAIRS"
    assert item["origin_criterion"] == {"code": "CTC"} and item["quantity"] == {"unit": "PCE"}
    # another company's product id is not a choice: refused at the field, nothing saved
    with desk.sessions.begin() as db:
        bobs = products.save_product(db, desk.actor("bob"), "Bob's", {"hs_code": "940171",
                                     "description": "X", "country_of_origin": "DE"}).public_id  # fmt: skip
    refused = client.post(f"/exporter/a/{public_id}/save", data={"goods[0].product": bobs})
    assert refused.status_code == 422
    assert (
        error_at(refused.get_data(as_text=True), "goods[0].product")
        == "is not one of your saved products"
    )
    with desk.sessions() as db:
        assert db.scalar(select(Application.document))["goods"][0]["hs_code"] == "940171"


def test_items_are_added_and_removed_without_javascript(app, desk: Desk) -> None:
    client = login(app)
    public_id = start(client, "FORM_E")
    client.post(
        f"/exporter/a/{public_id}/save", data={"goods[0].hs_code": "081090", "action": "add_item"}
    )
    page = client.get(f"/exporter/a/{public_id}").get_data(as_text=True)
    assert 'name="goods[1].hs_code"' in page and 'name="goods[2].hs_code"' not in page
    client.post(
        f"/exporter/a/{public_id}/save",
        data={
            "goods[0].hs_code": "081090",
            "goods[1].hs_code": "090111",
            "action": "remove_item:0",
        },
    )
    with desk.sessions() as db:
        goods = db.scalar(select(Application.document))["goods"]
    assert goods == [{"item_number": 1, "hs_code": "090111"}]


def test_a_new_draft_starts_with_the_companys_exporter_and_declarant(app, desk: Desk) -> None:
    with desk.sessions.begin() as db:
        service.create_application(db, desk.actor("alice"), fields(1))
    client = login(app)
    public_id = start(client, "FORM_D")
    with desk.sessions() as db:
        doc = db.scalar(select(Application.document).where(Application.public_id == public_id))
    assert doc["exporter"] == fields(1)["exporter"]
    assert doc["form"] == "FORM_D" and doc["agreement"] == "ATIGA"
    bob = login(app, "bob")
    other = start(bob, "FORM_D")
    with desk.sessions() as db:
        assert "exporter" not in db.scalar(
            select(Application.document).where(Application.public_id == other)
        )


def test_a_redacted_copy_offers_only_commercial_fields_and_refuses_others() -> None:
    from origincert.desk.errors import Invalid
    from origincert.desk.redaction import redactable_paths, redacted_copy

    issued = {"document": template_doc()}
    offered = redactable_paths(issued)
    assert "consignee" in offered and "goods[0].invoice" in offered
    assert not any(
        p.startswith(("number", "issuing_body", "issue_date", "exporter")) for p in offered
    )
    for hide, words in (([], "choose at least one field to withhold"),
                        (["number"], "cannot withhold number")):  # fmt: skip
        with pytest.raises(Invalid) as caught:
            redacted_copy(issued, hide, offered)
        assert caught.value.problems == [("hide", words)]


def template_doc() -> dict[str, Any]:
    from origincert.templates import template

    return template("ICC_CO")


def test_an_unknown_form_is_refused_at_the_choice(app, desk: Desk) -> None:
    client = login(app)
    answer = client.post("/exporter/new", data={"form": "FORM_Z"})
    assert answer.status_code == 422
    assert error_at(answer.get_data(as_text=True), "form").startswith("must be one of ICC_CO, EUR1")
    with desk.sessions() as db:
        assert db.scalar(select(Application)) is None
