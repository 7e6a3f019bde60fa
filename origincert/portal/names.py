"""Names for the codes a certificate carries, so officers read words, not codes.

Countries are ISO 3166-1 alpha-2 (pycountry), units UN/ECE Recommendation 20 and kinds of
package Recommendation 21 (the codes certificates of origin use; an unknown code is shown as
it is, since the code itself is what was signed). Field paths become "Item 2, gross weight".
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["country_name", "field_label", "package_name", "unit_name"]

UNITS = {  # UN/ECE Rec. 20
    "KGM": "kg",
    "GRM": "g",
    "TNE": "tonnes",
    "LTR": "litres",
    "MLT": "millilitres",
    "MTR": "metres",
    "MTK": "square metres",
    "MTQ": "cubic metres",
    "C62": "pieces",
    "H87": "pieces",
    "PCE": "pieces",
    "NAR": "articles",
    "PR": "pairs",
    "SET": "sets",
    "DZN": "dozen",
    "KWH": "kWh",
    "CT": "cartons",
}

PACKAGES = {  # UN/ECE Rec. 21
    "BG": "bags",
    "BE": "bundles",
    "BL": "bales",
    "BX": "boxes",
    "CL": "coils",
    "CS": "cases",
    "CT": "cartons",
    "CR": "crates",
    "DR": "drums",
    "PK": "packages",
    "PX": "pallets",
    "RO": "rolls",
    "SA": "sacks",
    "VY": "bulk",
    "VR": "bulk",
    "NE": "unpacked",
    "CN": "containers",
    "BA": "barrels",
    "TB": "tubs",
    "JR": "jars",
    "TN": "tins",
}

_SPECIAL_COUNTRIES = {"EU": "European Union", "XK": "Kosovo"}


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """``"CH"`` -> ``"Switzerland (CH)"``; an unknown code as it is."""
    import pycountry

    if code in _SPECIAL_COUNTRIES:
        return f"{_SPECIAL_COUNTRIES[code]} ({code})"
    entry = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if entry is None:
        return code
    return f"{getattr(entry, 'common_name', None) or entry.name} ({code})"


def unit_name(code: str) -> str:
    """``"KGM"`` -> ``"kg"``; an unknown unit code as it is."""
    return UNITS.get(code, code)


def package_name(code: str) -> str:
    """``"BG"`` -> ``"bags"``; an unknown kind of package as its code."""
    return PACKAGES.get(code, code)


_PARTS = {
    "number": "certificate number",
    "form": "form",
    "kind": "kind",
    "agreement": "agreement",
    "issue_date": "issue date",
    "issue_place": "place of issue",
    "valid_until": "valid until",
    "importing_country": "importing country",
    "exporter": "exporter",
    "consignee": "consignee",
    "producer": "producer",
    "transport": "transport",
    "declaration": "exporter's declaration",
    "issuing_body": "issuing body",
    "remarks": "remarks",
    "flags": "ticked boxes",
    "goods": "goods",
    "name": "name",
    "address": "address",
    "country": "country",
    "economy": "economy",
    "accreditation_ref": "accreditation",
    "departure_date": "departure date",
    "mode": "mode of transport",
    "vessel_or_flight": "vessel or flight",
    "port_of_loading": "port of loading",
    "port_of_discharge": "port of discharge",
    "route": "route",
    "statement": "statement",
    "place": "place",
    "date": "date",
    "signatory": "signatory",
    "item_number": "item number",
    "marks_and_numbers": "marks and numbers",
    "packages": "packages",
    "count": "number",
    "description": "description",
    "hs_code": "HS code",
    "origin_criterion": "origin criterion",
    "code": "code",
    "percentage": "percentage",
    "country_of_origin": "country of origin",
    "quantity": "quantity",
    "value": "value",
    "unit": "unit",
    "gross_weight_kg": "gross weight (kg)",
    "fob_value": "FOB value",
    "amount": "amount",
    "currency": "currency",
    "invoice": "invoice",
    "original_proof": "original proof of origin",
    "third_party_invoicer": "third-party invoicer",
    "copy_of": "certified true copy of",
    "duplicate_of": "duplicate of",
    "replaces": "replaced certificate",
    "reason": "reason",
    "approved_exporter": "approved exporter",
    "issuing_country": "issuing country",
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
            words.append(f"item {int(index) + 1}")
            continue
        word = _PARTS.get(key, key.replace("_", " "))
        words.append(f"{word} {int(index) + 1}" if index is not None else word)
    text = ", ".join(words)
    return text[:1].upper() + text[1:]
