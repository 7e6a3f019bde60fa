"""The code lists a certificate's writer needs, with what each code means, for the JSON Schema.

A clerk writing a document by hand reads the schema: ``quantity.unit`` takes UN/ECE
Recommendation 20 codes, ``packages.kind`` Recommendation 21 codes, and
``origin_criterion.code`` the criteria of the form (``document.FORMS`` says which form takes
which). These lists hold the codes the package knows (the portal's names, the PDF's words) with
a description each; the schema also accepts any other code of the right shape, since both
Recommendations are longer than any one chamber uses.
"""

from __future__ import annotations

__all__ = ["CRITERIA", "PACKAGES", "UNITS", "describe"]

UNITS: dict[str, str] = {  # UN/ECE Recommendation 20
    "KGM": "kilogram",
    "GRM": "gram",
    "TNE": "tonne (metric ton, 1000 kg)",
    "LTR": "litre",
    "MLT": "millilitre",
    "MTR": "metre",
    "MTK": "square metre",
    "MTQ": "cubic metre",
    "C62": "one (a unit count)",
    "H87": "piece",
    "PCE": "piece (older code; H87 is current)",
    "NAR": "number of articles",
    "PR": "pair",
    "SET": "set",
    "DZN": "dozen",
    "KWH": "kilowatt hour",
    "CT": "carton",
}

PACKAGES: dict[str, str] = {  # UN/ECE Recommendation 21
    "BG": "bag",
    "BE": "bundle",
    "BL": "bale, compressed",
    "BX": "box",
    "CL": "coil",
    "CS": "case",
    "CT": "carton",
    "CR": "crate",
    "DR": "drum",
    "PK": "package",
    "PX": "pallet",
    "RO": "roll",
    "SA": "sack",
    "VY": "bulk, solid, fine particles (powders)",
    "VR": "bulk, solid, granular particles (grains)",
    "NE": "unpacked or unpackaged",
    "CN": "container, not otherwise specified",
    "BA": "barrel",
    "TB": "tub",
    "JR": "jar",
    "TN": "tin",
}

CRITERIA: dict[str, str] = {  # box "origin criterion" of the preferential forms (COO-DATA.md)
    "WO": "wholly obtained or produced in the exporting Party",
    "PE": "produced entirely from originating materials",
    "CTH": "change in tariff heading (4-digit HS)",
    "CTSH": "change in tariff subheading (6-digit HS)",
    "CC": "change in chapter (2-digit HS)",
    "CTC": "change in tariff classification (RCEP)",
    "RVC": "regional value content; give the percentage, rounded down (RVC 40 %), and the FOB value",
    "PSR": "product-specific rule (Form E)",
    "SP": "specific process (Form D)",
    "PC": "partial cumulation; give the percentage (Form D)",
    "CR": "chemical reaction rule (RCEP)",
    "P": "wholly obtained in the beneficiary country (GSP Form A)",
    "W": "sufficiently worked or processed; the HS heading follows (GSP Form A)",
    "F": "meets the donor's rules for goods not wholly obtained (GSP Form A, Canada)",
    "Y": "value-based rule; the donor's percentage may be given (GSP Form A)",
    "PK": "produced with materials of another beneficiary country (GSP Form A, cumulation)",
}


def describe(title: str, codes: dict[str, str]) -> str:
    """``title``, then each code with its meaning: the schema's description of the field."""
    return f"{title} " + "; ".join(f"{code}: {meaning}" for code, meaning in codes.items()) + "."
