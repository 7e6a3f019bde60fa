"""Names for the codes a certificate carries, so officers read words, not codes.

Countries are ISO 3166-1 alpha-2 (pycountry), units UN/ECE Recommendation 20 and kinds of
package Recommendation 21 (the codes certificates of origin use; an unknown code is shown as
it is, since the code itself is what was signed). Field paths become "Item 2, gross weight".
"""

from __future__ import annotations

import gettext as stdlib_gettext
import re
from functools import lru_cache

from origincert.portal.catalogue import N_, gettext

__all__ = ["country_name", "field_label", "language", "package_name", "unit_name"]

UNITS = {  # UN/ECE Rec. 20
    "KGM": N_("kg"),
    "GRM": N_("g"),
    "TNE": N_("tonnes"),
    "LTR": N_("litres"),
    "MLT": N_("millilitres"),
    "MTR": N_("metres"),
    "MTK": N_("square metres"),
    "MTQ": N_("cubic metres"),
    "C62": N_("pieces"),
    "H87": N_("pieces"),
    "PCE": N_("pieces"),
    "NAR": N_("articles"),
    "PR": N_("pairs"),
    "SET": N_("sets"),
    "DZN": N_("dozen"),
    "KWH": N_("kWh"),
    "CT": N_("cartons"),
}

PACKAGES = {  # UN/ECE Rec. 21
    "BG": N_("bags"),
    "BE": N_("bundles"),
    "BL": N_("bales"),
    "BX": N_("boxes"),
    "CL": N_("coils"),
    "CS": N_("cases"),
    "CT": N_("cartons"),
    "CR": N_("crates"),
    "DR": N_("drums"),
    "PK": N_("packages"),
    "PX": N_("pallets"),
    "RO": N_("rolls"),
    "SA": N_("sacks"),
    "VY": N_("bulk"),
    "VR": N_("bulk"),
    "NE": N_("unpacked"),
    "CN": N_("containers"),
    "BA": N_("barrels"),
    "TB": N_("tubs"),
    "JR": N_("jars"),
    "TN": N_("tins"),
}

_SPECIAL_COUNTRIES = {"EU": N_("European Union"), "XK": N_("Kosovo")}


def language() -> str:
    """The language of the current request (``en`` outside one)."""
    from flask_babel import get_locale

    try:
        locale = get_locale()
    except RuntimeError:
        return "en"
    return locale.language if locale is not None else "en"


@lru_cache(maxsize=8)
def _iso3166(language: str) -> stdlib_gettext.NullTranslations:
    """pycountry's own translations of the ISO 3166 names."""
    import pycountry

    return stdlib_gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


@lru_cache(maxsize=2048)
def _country(code: str, language: str) -> str:
    import pycountry

    entry = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if entry is None:
        return code
    name = getattr(entry, "common_name", None) or entry.name
    if language != "en":
        name = _iso3166(language).gettext(entry.name)
    return f"{name} ({code})"


def country_name(code: str) -> str:
    """``"CH"`` -> ``"Switzerland (CH)"`` (``"Schweiz (CH)"`` in German); unknown codes as they are."""
    if code in _SPECIAL_COUNTRIES:
        return f"{gettext(_SPECIAL_COUNTRIES[code])} ({code})"
    return _country(code, language())


def unit_name(code: str) -> str:
    """``"KGM"`` -> ``"kg"``; an unknown unit code as it is."""
    return UNITS.get(code, code)


def package_name(code: str) -> str:
    """``"BG"`` -> ``"bags"``; an unknown kind of package as its code."""
    return PACKAGES.get(code, code)


_PARTS = {
    "number": N_("certificate number"),
    "form": N_("form"),
    "kind": N_("kind"),
    "agreement": N_("agreement"),
    "issue_date": N_("issue date"),
    "issue_place": N_("place of issue"),
    "valid_until": N_("valid until"),
    "importing_country": N_("importing country"),
    "exporter": N_("exporter"),
    "consignee": N_("consignee"),
    "producer": N_("producer"),
    "transport": N_("transport"),
    "declaration": N_("exporter's declaration"),
    "issuing_body": N_("issuing body"),
    "remarks": N_("remarks"),
    "flags": N_("ticked boxes"),
    "goods": N_("goods"),
    "name": N_("name"),
    "address": N_("address"),
    "country": N_("country"),
    "economy": N_("economy"),
    "accreditation_ref": N_("accreditation"),
    "departure_date": N_("departure date"),
    "mode": N_("mode of transport"),
    "vessel_or_flight": N_("vessel or flight"),
    "port_of_loading": N_("port of loading"),
    "port_of_discharge": N_("port of discharge"),
    "route": N_("route"),
    "statement": N_("statement"),
    "place": N_("place"),
    "date": N_("date"),
    "signatory": N_("signatory"),
    "item_number": N_("item number"),
    "marks_and_numbers": N_("marks and numbers"),
    "packages": N_("packages"),
    "count": N_("number"),
    "description": N_("description"),
    "hs_code": N_("HS code"),
    "origin_criterion": N_("origin criterion"),
    "code": N_("code"),
    "percentage": N_("percentage"),
    "country_of_origin": N_("country of origin"),
    "quantity": N_("quantity"),
    "value": N_("value"),
    "unit": N_("unit"),
    "gross_weight_kg": N_("gross weight (kg)"),
    "fob_value": N_("FOB value"),
    "amount": N_("amount"),
    "currency": N_("currency"),
    "invoice": N_("invoice"),
    "original_proof": N_("original proof of origin"),
    "third_party_invoicer": N_("third-party invoicer"),
    "copy_of": N_("certified true copy of"),
    "duplicate_of": N_("duplicate of"),
    "replaces": N_("replaced certificate"),
    "reason": N_("reason"),
    "approved_exporter": N_("approved exporter"),
    "issuing_country": N_("issuing country"),
}
_STEP = re.compile(r"([A-Za-z0-9_]+)(?:\[([0-9]+)\])?")


def field_label(path: str) -> str:
    """A field path in words: ``goods[1].gross_weight_kg`` -> ``Item 2, gross weight (kg)``."""
    words: list[str] = []
    for step in path.split("."):
        m = _STEP.fullmatch(step)
        if m is None:
            return path  # not a path of the model: shown as it is
        key, index = m.group(1), m.group(2)
        if key == "goods" and index is not None:
            words.append(gettext("item %(number)s", number=int(index) + 1))
            continue
        word = gettext(_PARTS[key]) if key in _PARTS else key.replace("_", " ")
        words.append(f"{word} {int(index) + 1}" if index is not None else word)
    text = ", ".join(words)
    return text[:1].upper() + text[1:]
