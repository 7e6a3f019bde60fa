"""Realistic sample certificates for tests, demos and benchmarks, reproducible from a seed.

Every certificate is in canonical form (``parse_certificate(c).to_json() == c``): all flags are
present and ``valid_until`` is filled in. The mix follows real trade: mostly 1 to 5 goods items,
preferential forms between the parties of their agreement, origin criteria that fit both the
form and the goods (wholly obtained for produce, RVC / tariff shift for manufactures), and a few
back-to-back, third-party-invoiced, retroactive, duplicate, copy and replacement certificates.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from origincert.document import FORMS, SCHEMA_ID, default_valid_until
from origincert.errors import DocumentError

__all__ = ["ECONOMIES", "sample_batch", "sample_certificate"]


@dataclass(frozen=True, slots=True)
class Economy:
    name: str
    people: str  # key of _PEOPLE
    cities: tuple[str, ...]
    ports: tuple[str, ...]  # sea ports; empty for landlocked economies
    airport: str
    company: str  # legal form, "{}" is the trading name
    currency: str


def _e(
    name: str, people: str, cities: str, ports: str, airport: str, company: str, currency: str
) -> Economy:
    split = lambda s: tuple(x.strip() for x in s.split("|") if x.strip())
    return Economy(name, people, split(cities), split(ports), airport, company, currency)


ECONOMIES: dict[str, Economy] = {
    "SG": _e("Singapore", "cn", "Singapore", "Singapore", "Singapore Changi", "{} Pte. Ltd.", "SGD"),
    "MY": _e("Malaysia", "malay", "Kuala Lumpur|Penang|Johor Bahru|Shah Alam", "Port Klang|Penang|Tanjung Pelepas", "Kuala Lumpur International", "{} Sdn. Bhd.", "MYR"),
    "TH": _e("Thailand", "th", "Bangkok|Chonburi|Samut Prakan|Chiang Mai", "Laem Chabang|Bangkok", "Bangkok Suvarnabhumi", "{} Co., Ltd.", "THB"),
    "VN": _e("Viet Nam", "vn", "Ho Chi Minh City|Ha Noi|Hai Phong|Binh Duong", "Cat Lai, Ho Chi Minh City|Hai Phong|Da Nang", "Tan Son Nhat", "{} Company Limited", "VND"),
    "ID": _e("Indonesia", "malay", "Jakarta|Surabaya|Medan|Semarang", "Tanjung Priok, Jakarta|Tanjung Perak, Surabaya|Belawan", "Soekarno-Hatta", "PT {}", "IDR"),
    "PH": _e("the Philippines", "ph", "Manila|Cebu|Davao", "Manila|Cebu|Davao", "Ninoy Aquino International", "{} Inc.", "PHP"),
    "KH": _e("Cambodia", "kh", "Phnom Penh|Sihanoukville", "Sihanoukville", "Phnom Penh International", "{} Co., Ltd.", "USD"),
    "LA": _e("Lao PDR", "th", "Vientiane|Savannakhet", "", "Wattay International", "{} Sole Co., Ltd.", "USD"),
    "MM": _e("Myanmar", "kh", "Yangon|Mandalay", "Yangon", "Yangon International", "{} Co., Ltd.", "USD"),
    "BN": _e("Brunei Darussalam", "malay", "Bandar Seri Begawan", "Muara", "Brunei International", "{} Sdn. Bhd.", "BND"),
    "CN": _e("China", "cn", "Shanghai|Shenzhen|Ningbo|Guangzhou|Qingdao|Xiamen", "Shanghai|Ningbo|Shenzhen (Yantian)|Qingdao|Xiamen", "Shanghai Pudong", "{} Co., Ltd.", "CNY"),
    "HK": _e("Hong Kong, China", "cn", "Hong Kong", "Hong Kong", "Hong Kong International", "{} Limited", "HKD"),
    "JP": _e("Japan", "jp", "Tokyo|Osaka|Nagoya|Yokohama", "Yokohama|Nagoya|Kobe|Tokyo", "Tokyo Narita", "{} Co., Ltd.", "JPY"),
    "KR": _e("the Republic of Korea", "kr", "Seoul|Busan|Incheon|Ulsan", "Busan|Incheon|Gwangyang", "Incheon International", "{} Co., Ltd.", "KRW"),
    "AU": _e("Australia", "anglo", "Melbourne|Sydney|Brisbane|Perth", "Melbourne|Sydney|Brisbane|Fremantle", "Sydney Kingsford Smith", "{} Pty Ltd", "AUD"),
    "NZ": _e("New Zealand", "anglo", "Auckland|Christchurch|Tauranga", "Auckland|Tauranga|Lyttelton", "Auckland", "{} Limited", "NZD"),
    "IN": _e("India", "south_asia", "Mumbai|Chennai|New Delhi|Ahmedabad|Tiruppur", "Nhava Sheva|Chennai|Mundra", "Mumbai Chhatrapati Shivaji Maharaj", "{} Pvt. Ltd.", "INR"),
    "BD": _e("Bangladesh", "south_asia", "Dhaka|Chattogram|Gazipur", "Chattogram", "Dhaka Hazrat Shahjalal", "{} Ltd.", "USD"),
    "LK": _e("Sri Lanka", "south_asia", "Colombo|Kandy|Negombo", "Colombo", "Colombo Bandaranaike", "{} (Pvt) Ltd", "USD"),
    "PK": _e("Pakistan", "south_asia", "Karachi|Lahore|Faisalabad|Sialkot", "Karachi|Port Qasim", "Karachi Jinnah", "{} (Pvt.) Ltd.", "USD"),
    "NP": _e("Nepal", "south_asia", "Kathmandu|Birgunj", "", "Kathmandu Tribhuvan", "{} Pvt. Ltd.", "USD"),
    "DE": _e("Germany", "europe", "Hamburg|München|Stuttgart|Düsseldorf", "Hamburg|Bremerhaven", "Frankfurt am Main", "{} GmbH", "EUR"),
    "FR": _e("France", "europe", "Lyon|Paris|Bordeaux|Marseille", "Le Havre|Marseille-Fos", "Paris Charles de Gaulle", "{} S.A.S.", "EUR"),
    "IT": _e("Italy", "europe", "Milano|Torino|Bologna|Napoli", "Genova|La Spezia", "Milano Malpensa", "{} S.p.A.", "EUR"),
    "ES": _e("Spain", "europe", "Valencia|Barcelona|Madrid|Sevilla", "Valencia|Barcelona|Algeciras", "Madrid Barajas", "{} S.L.", "EUR"),
    "NL": _e("the Netherlands", "europe", "Rotterdam|Eindhoven|Amsterdam", "Rotterdam", "Amsterdam Schiphol", "{} B.V.", "EUR"),
    "BE": _e("Belgium", "europe", "Antwerpen|Gent|Bruxelles", "Antwerpen", "Brussels", "{} NV", "EUR"),
    "PL": _e("Poland", "europe", "Gdańsk|Poznań|Łódź|Wrocław", "Gdańsk|Gdynia", "Warszawa Chopin", "{} Sp. z o.o.", "PLN"),
    "AT": _e("Austria", "europe", "Wien|Linz|Graz", "", "Wien-Schwechat", "{} GmbH", "EUR"),
    "SE": _e("Sweden", "europe", "Göteborg|Stockholm|Malmö", "Göteborg", "Stockholm Arlanda", "{} AB", "SEK"),
    "CZ": _e("Czechia", "europe", "Praha|Brno|Ostrava", "", "Praha Václav Havel", "{} s.r.o.", "CZK"),
    "PT": _e("Portugal", "europe", "Porto|Lisboa", "Leixões|Lisboa", "Lisboa Humberto Delgado", "{} Lda.", "EUR"),
    "IE": _e("Ireland", "anglo", "Dublin|Cork", "Dublin|Cork", "Dublin", "{} Limited", "EUR"),
    "CH": _e("Switzerland", "europe", "Basel|Zürich|Genève", "", "Zürich", "{} AG", "CHF"),
    "NO": _e("Norway", "europe", "Oslo|Bergen|Ålesund", "Oslo|Bergen|Ålesund", "Oslo Gardermoen", "{} AS", "NOK"),
    "IS": _e("Iceland", "europe", "Reykjavík|Akureyri", "Reykjavík", "Keflavík", "{} ehf.", "ISK"),
    "TR": _e("Türkiye", "europe", "İstanbul|İzmir|Bursa|Mersin", "Ambarlı|İzmir|Mersin", "İstanbul", "{} A.Ş.", "TRY"),
    "GB": _e("the United Kingdom", "anglo", "Manchester|Birmingham|London|Glasgow", "Felixstowe|Southampton|London Gateway", "London Heathrow", "{} Ltd", "GBP"),
    "RU": _e("Russia", "ru", "Moskva|Sankt-Peterburg|Novorossiysk", "Sankt-Peterburg|Novorossiysk|Vladivostok", "Moskva Sheremetyevo", "OOO \"{}\"", "RUB"),
    "MA": _e("Morocco", "arab", "Casablanca|Tanger|Agadir", "Tanger Med|Casablanca", "Casablanca Mohammed V", "{} S.A.R.L.", "MAD"),
    "TN": _e("Tunisia", "arab", "Tunis|Sfax|Sousse", "Radès|Sfax", "Tunis-Carthage", "{} S.A.R.L.", "TND"),
    "EG": _e("Egypt", "arab", "Cairo|Alexandria|Port Said", "Alexandria|Damietta|Port Said", "Cairo International", "{} S.A.E.", "EGP"),
    "IL": _e("Israel", "il", "Haifa|Tel Aviv|Ashdod", "Haifa|Ashdod", "Tel Aviv Ben Gurion", "{} Ltd.", "ILS"),
    "JO": _e("Jordan", "arab", "Amman|Aqaba", "Aqaba", "Amman Queen Alia", "{} L.L.C.", "JOD"),
    "AE": _e("the United Arab Emirates", "arab", "Dubai|Sharjah|Abu Dhabi", "Jebel Ali|Khalifa Port", "Dubai International", "{} L.L.C.", "AED"),
    "SA": _e("Saudi Arabia", "arab", "Riyadh|Jeddah|Dammam", "Jeddah Islamic Port|Dammam", "Riyadh King Khalid", "{} Co.", "SAR"),
    "ET": _e("Ethiopia", "africa", "Addis Ababa|Hawassa", "", "Addis Ababa Bole", "{} PLC", "USD"),
    "KE": _e("Kenya", "africa", "Nairobi|Mombasa", "Mombasa", "Nairobi Jomo Kenyatta", "{} Limited", "USD"),
    "ZA": _e("South Africa", "africa", "Durban|Johannesburg|Cape Town", "Durban|Cape Town", "Johannesburg O.R. Tambo", "{} (Pty) Ltd", "ZAR"),
    "US": _e("the United States", "anglo", "Los Angeles|Houston|Chicago|Savannah", "Los Angeles|Houston|Savannah|New York/New Jersey", "Chicago O'Hare", "{} Inc.", "USD"),
    "CA": _e("Canada", "anglo", "Vancouver|Toronto|Montréal", "Vancouver|Montréal", "Toronto Pearson", "{} Inc.", "CAD"),
    "MX": _e("Mexico", "latam", "Monterrey|Guadalajara|Ciudad de México", "Manzanillo|Veracruz", "Ciudad de México", "{} S.A. de C.V.", "MXN"),
    "BR": _e("Brazil", "latam", "São Paulo|Curitiba|Itajaí", "Santos|Paranaguá|Itajaí", "São Paulo Guarulhos", "{} Ltda.", "BRL"),
}  # fmt: skip

ASEAN = frozenset(["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"])
RCEP_PARTIES = ASEAN | {"CN", "JP", "KR", "AU", "NZ"}
EU = frozenset(["DE", "FR", "IT", "ES", "NL", "BE", "PL", "AT", "SE", "CZ", "PT", "IE"])
EUR1_PARTNERS = frozenset(["CH", "NO", "IS", "MA", "TN", "EG", "IL", "JO"])
PEM_PARTNERS = EUR1_PARTNERS | {"TR"}
GSP_BENEFICIARIES = frozenset(["BD", "KH", "LA", "MM", "NP", "ET", "LK", "PK", "KE"])
GSP_DONORS = frozenset(["JP", "NO", "CH", "TR", "RU"])
_LAND = {
    frozenset(pair.split("-"))
    for pair in (
        "TH-LA",
        "TH-MY",
        "TH-KH",
        "TH-MM",
        "MY-SG",
        "CN-VN",
        "CN-LA",
        "CN-MM",
        "VN-KH",
        "VN-LA",
        "DE-CH",
        "FR-CH",
        "IT-CH",
        "AT-CH",
        "DE-AT",
        "DE-PL",
        "DE-CZ",
        "DE-NL",
        "DE-BE",
        "DE-FR",
        "FR-BE",
        "FR-ES",
        "ES-PT",
        "IT-AT",
        "IN-NP",
        "IN-BD",
        "US-CA",
        "US-MX",
        "CZ-AT",
        "CZ-PL",
        "NL-BE",
        "SE-NO",
        "KE-ET",
        "FR-IT",
    )
}  # neighbours trading by road or rail

_AGREEMENT_NAMES = {
    "ATIGA": "the ASEAN Trade in Goods Agreement",
    "ACFTA": "the ASEAN-China Free Trade Area",
    "RCEP": "the Regional Comprehensive Economic Partnership Agreement",
    "AKFTA": "the ASEAN-Korea Free Trade Area",
    "AJCEP": "the ASEAN-Japan Comprehensive Economic Partnership",
    "AIFTA": "the ASEAN-India Free Trade Area",
    "AANZFTA": "the ASEAN-Australia-New Zealand Free Trade Area",
    "AHKFTA": "the ASEAN-Hong Kong, China Free Trade Agreement",
    "GSP": "the Generalized System of Preferences",
}

_PEOPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    # given names, family names, family name first
    "cn": (("Wei Ming", "Li Na", "Jian Hua", "Xiao Hong", "Zhi Wei", "Mei Ling", "Hao Ran", "Yu Ting"), ("Tan", "Lim", "Chen", "Wang", "Zhang", "Liu", "Huang", "Ng"), True),
    "malay": (("Ahmad", "Siti", "Nurul", "Muhammad", "Aisyah", "Faizal", "Dewi", "Budi"), ("Abdullah", "Rahman", "Ismail", "Hassan", "Santoso", "Wijaya", "Hidayat", "Kusuma"), False),
    "th": (("Somchai", "Siriporn", "Anan", "Kanya", "Prasert", "Nattaya"), ("Srisuk", "Chaiyaporn", "Wongsawat", "Rattanakul", "Boonmee"), False),
    "vn": (("Van Anh", "Thi Lan", "Minh Tuan", "Thu Ha", "Quoc Bao", "Duc Thang"), ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu"), True),
    "kh": (("Sokha", "Dara", "Chanthy", "Vannak", "Aung", "Thida"), ("Chan", "Sok", "Heng", "Kyaw", "Win", "Meas"), False),
    "ph": (("Maria", "Jose", "Ramon", "Cristina", "Paolo", "Angelica"), ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza"), False),
    "jp": (("Hiroshi", "Yuki", "Kenji", "Aiko", "Takumi", "Naoko"), ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Yamamoto"), True),
    "kr": (("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Dong-hyun", "Su-bin"), ("Kim", "Lee", "Park", "Choi", "Jung", "Kang"), True),
    "south_asia": (("Rajesh", "Priya", "Anil", "Sunita", "Farhan", "Nasrin", "Kamal", "Dilani"), ("Sharma", "Patel", "Perera", "Rahman", "Hossain", "Fernando", "Khan", "Shrestha"), False),
    "europe": (("Anna", "Lukas", "Sophie", "Marco", "Elena", "Jan", "Clara", "Pierre", "Ingrid", "Mehmet"), ("Müller", "Schmidt", "Rossi", "Dubois", "García", "Jansen", "Nowak", "Hansen", "Yılmaz", "Novák"), False),
    "anglo": (("James", "Emma", "Oliver", "Charlotte", "Jack", "Olivia"), ("Smith", "Brown", "Wilson", "Taylor", "Campbell", "O'Brien"), False),
    "ru": (("Ivan", "Olga", "Dmitry", "Natalia", "Sergey"), ("Ivanov", "Petrova", "Smirnov", "Kuznetsova", "Volkov"), False),
    "arab": (("Ahmed", "Fatima", "Omar", "Layla", "Youssef", "Mariam"), ("Al-Sayed", "Haddad", "El-Masri", "Benali", "Al-Farsi", "Mansour"), False),
    "il": (("Noa", "Yosef", "Tamar", "David", "Michal"), ("Cohen", "Levi", "Mizrahi", "Peretz", "Biton"), False),
    "africa": (("Abebe", "Amina", "Kwame", "Wanjiru", "Chinedu", "Thandiwe"), ("Bekele", "Okafor", "Mensah", "Kamau", "Ndlovu", "Tesfaye"), False),
    "latam": (("Carlos", "Ana", "Luis", "Camila", "Diego", "Valentina"), ("González", "Silva", "Rodríguez", "Pereira", "Fernández", "López"), False),
}  # fmt: skip

_TRADE_WORDS = (
    "Golden", "Pacific", "Sunrise", "Evergreen", "Orchid", "Lotus", "Harbour", "Summit", "Delta", "Meridian",
    "Crown", "Royal", "Nova", "Apex", "Global", "United", "Eastern", "Kingfisher", "Jade", "Silverline",
    "Coral", "Everbright", "Highland", "Riverside", "Star", "Oriental", "Continental", "Northwind",
)  # fmt: skip
_STREETS = ("Industrial Road", "Harbour Street", "Export Avenue", "Station Road", "Market Street",
            "Free Zone Road", "Logistics Park Lane")  # fmt: skip
_LOCAL_STREETS = {
    "malay": ("Jalan Perusahaan", "Jalan Industri"), "th": ("Moo 4, Bangna-Trad Road",),
    "vn": ("Nguyen Van Linh Boulevard",), "europe": ("Industriestraße", "Rue du Commerce", "Via dell'Industria"),
    "latam": ("Calle Mayor", "Avenida Industrial"), "arab": ("Industrial Area Street",),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Goods:
    hs: str
    description: str
    trade: str  # a word for the trader's name
    wholly_obtained: bool
    unit: str  # UN/ECE Rec. 20
    package: str  # UN/ECE Rec. 21
    kg_per_unit: Decimal
    units_per_package: int
    usd_per_unit: tuple[float, float]
    by_air: bool = False


def _g(hs: str, description: str, trade: str, wo: bool, unit: str, package: str, kg: str, per: int,
       lo: float, hi: float, air: bool = False) -> _Goods:  # fmt: skip
    return _Goods(hs, description, trade, wo, unit, package, Decimal(kg), per, (lo, hi), air)


GOODS: tuple[_Goods, ...] = (
    _g("030617", "FROZEN VANNAMEI SHRIMPS (LITOPENAEUS VANNAMEI), PEELED AND DEVEINED, SIZE 31/40", "Seafood", True, "KGM", "CT", "1", 10, 7.5, 11.0),
    _g("030342", "FROZEN YELLOWFIN TUNA (THUNNUS ALBACARES), WHOLE ROUND, 20 KG UP", "Seafood", True, "KGM", "CT", "1", 25, 2.8, 4.2),
    _g("030324", "FROZEN PANGASIUS (PANGASIUS HYPOPHTHALMUS), WHOLE ROUND", "Seafood", True, "KGM", "CT", "1", 10, 1.6, 2.4),
    _g("080390", "FRESH CAVENDISH BANANAS, GRADE A, 13 KG CARTONS", "Fruits", True, "KGM", "CT", "1", 13, 0.5, 0.9),
    _g("080450", "FRESH MANGOES, NAM DOK MAI VARIETY", "Fruits", True, "KGM", "CT", "1", 5, 1.8, 3.5, True),
    _g("081090", "FRESH DURIANS, MONTHONG VARIETY", "Fruits", True, "KGM", "CT", "1", 18, 3.0, 6.0),
    _g("090111", "GREEN COFFEE BEANS, ROBUSTA, NOT ROASTED, NOT DECAFFEINATED, GRADE 2, SCREEN 16", "Coffee", True, "KGM", "BG", "1", 60, 2.0, 4.5),
    _g("090411", "BLACK PEPPER, WHOLE, NEITHER CRUSHED NOR GROUND, 550 G/L", "Spices", True, "KGM", "BG", "1", 50, 3.5, 6.5),
    _g("090240", "BLACK TEA, FERMENTED, CEYLON ORANGE PEKOE, IN PACKINGS OF 5 KG", "Tea", True, "KGM", "CS", "1", 20, 3.0, 7.0),
    _g("100630", "THAI HOM MALI JASMINE RICE, WHITE, 5% BROKEN, CROP 2024/25", "Agro", True, "KGM", "BG", "1", 50, 0.6, 1.1),
    _g("120190", "SOYA BEANS, WHETHER OR NOT BROKEN, NON-GMO, FOR FOOD USE", "Agro", True, "KGM", "BG", "1", 50, 0.4, 0.7),
    _g("180100", "COCOA BEANS, WHOLE, RAW, FERMENTED AND SUN-DRIED", "Cocoa", True, "KGM", "BG", "1", 62, 3.0, 8.0),
    _g("060311", "FRESH CUT ROSES, LONG STEM 50-60 CM, FOR BOUQUETS", "Flowers", True, "PCE", "BX", "0.04", 200, 0.15, 0.4, True),
    _g("400122", "TECHNICALLY SPECIFIED NATURAL RUBBER, SIR 20, IN 35 KG BALES", "Rubber", True, "KGM", "BL", "1", 35, 1.4, 1.9),
    _g("520100", "RAW COTTON, NOT CARDED OR COMBED, STAPLE 28 MM", "Cotton", True, "KGM", "BL", "1", 220, 1.5, 2.2),
    _g("260300", "COPPER ORES AND CONCENTRATES, CU 25% MIN", "Mining", True, "KGM", "VY", "1", 5000000, 1.8, 2.6),
    _g("151190", "REFINED, BLEACHED AND DEODORISED PALM OLEIN, IV 56 MIN", "Oils", False, "KGM", "DR", "1", 190, 0.8, 1.2),
    _g("160414", "CANNED TUNA CHUNKS IN SUNFLOWER OIL, 48 TINS OF 185 G PER CARTON", "Foods", False, "KGM", "CT", "1", 9, 3.2, 4.5),
    _g("170114", "RAW CANE SUGAR, VHP, POLARISATION 98.5 DEGREES MIN", "Sugar", False, "KGM", "BG", "1", 50, 0.4, 0.6),
    _g("190531", "SWEET BISCUITS, ASSORTED BUTTER COOKIES, 12 TINS OF 400 G PER CARTON", "Foods", False, "KGM", "CT", "1", 5, 3.5, 6.0),
    _g("200819", "ROASTED SALTED CASHEW KERNELS, W320, VACUUM PACKED", "Foods", False, "KGM", "CT", "1", 20, 7.0, 10.0),
    _g("210111", "INSTANT COFFEE, SPRAY-DRIED, IN 25 KG BAGS", "Coffee", False, "KGM", "BG", "1", 25, 6.0, 11.0),
    _g("220421", "RED WINE, BORDEAUX AOC, VINTAGE 2021, 12 BOTTLES OF 75 CL PER CASE", "Wines", False, "LTR", "CS", "1.3", 9, 6.0, 25.0),
    _g("220300", "BEER MADE FROM MALT, 24 CANS OF 330 ML PER CARTON", "Breweries", False, "LTR", "CT", "1.1", 8, 1.2, 2.5),
    _g("300490", "MEDICAMENTS IN MEASURED DOSES: PARACETAMOL 500 MG TABLETS, 100 BLISTER PACKS", "Pharma", False, "PCE", "CT", "0.05", 100, 0.6, 1.5, True),
    _g("330499", "SKIN CARE PREPARATIONS: MOISTURISING CREAM, 50 ML JARS", "Cosmetics", False, "PCE", "CT", "0.09", 48, 2.0, 9.0, True),
    _g("390110", "LOW-DENSITY POLYETHYLENE (LDPE) GRANULES, SPECIFIC GRAVITY < 0.94", "Polymers", False, "KGM", "BG", "1", 25, 1.0, 1.6),
    _g("392321", "POLYETHYLENE CARRIER BAGS, PRINTED, 30 X 50 CM", "Plastics", False, "KGM", "CT", "1", 15, 1.8, 2.8),
    _g("401110", "NEW PNEUMATIC RADIAL TYRES OF RUBBER FOR PASSENGER CARS, 205/55 R16", "Tyres", False, "PCE", "PK", "8.5", 4, 28.0, 60.0),
    _g("440710", "SAWN PINE TIMBER, KILN DRIED, PLANED, THICKNESS 50 MM", "Timber", False, "MTQ", "BE", "520", 2, 180.0, 320.0),
    _g("441231", "PLYWOOD, OUTER PLY OF TROPICAL HARDWOOD, 18 MM, 1220 X 2440 MM", "Timber", False, "MTQ", "PX", "620", 1, 350.0, 520.0),
    _g("480256", "UNCOATED WOODFREE COPY PAPER, A4, 80 G/M2, 5 REAMS PER BOX", "Paper", False, "KGM", "PX", "1", 600, 0.8, 1.2),
    _g("520523", "COTTON YARN, SINGLE, COMBED, NE 30/1, 100% COTTON, FOR KNITTING", "Spinning", False, "KGM", "CT", "1", 45, 2.6, 3.6),
    _g("520942", "DENIM FABRIC, 100% COTTON, 12 OZ, WIDTH 150 CM", "Textiles", False, "MTR", "RO", "0.45", 100, 2.5, 4.5),
    _g("540233", "POLYESTER TEXTURED FILAMENT YARN, DTY 150D/48F, RAW WHITE", "Fibres", False, "KGM", "CT", "1", 30, 1.3, 1.9),
    _g("610910", "MEN'S T-SHIRTS OF COTTON, KNITTED, CREW NECK, SIZES S-XXL", "Garments", False, "PCE", "CT", "0.2", 60, 2.0, 6.0),
    _g("620342", "MEN'S TROUSERS OF COTTON DENIM, WOVEN, FIVE POCKETS", "Garments", False, "PCE", "CT", "0.7", 30, 6.0, 14.0),
    _g("611030", "PULLOVERS OF MAN-MADE FIBRES, KNITTED, LONG SLEEVES", "Knitwear", False, "PCE", "CT", "0.35", 40, 4.0, 11.0),
    _g("630260", "TERRY TOWELS OF COTTON, 70 X 140 CM, 500 G/M2", "Home Textiles", False, "PCE", "CT", "0.5", 50, 2.0, 5.0),
    _g("640399", "MEN'S SHOES, UPPERS OF LEATHER, OUTER SOLES OF RUBBER, NOT COVERING THE ANKLE", "Footwear", False, "PR", "CT", "1.1", 12, 14.0, 40.0),
    _g("640411", "SPORTS FOOTWEAR, UPPERS OF TEXTILE, OUTER SOLES OF RUBBER", "Footwear", False, "PR", "CT", "0.8", 12, 9.0, 28.0),
    _g("690721", "GLAZED PORCELAIN FLOOR TILES, 600 X 600 MM, WATER ABSORPTION <= 0.5%", "Ceramics", False, "MTK", "PX", "22", 58, 5.0, 11.0),
    _g("720839", "HOT-ROLLED COILS OF NON-ALLOY STEEL, WIDTH >= 600 MM, THICKNESS < 3 MM", "Steel", False, "KGM", "CL", "1", 22000, 0.55, 0.75),
    _g("732393", "STAINLESS STEEL COOKWARE SETS, 5 PIECES WITH GLASS LIDS", "Housewares", False, "SET", "CT", "4.2", 2, 18.0, 45.0),
    _g("740311", "REFINED COPPER CATHODES, GRADE A, LME REGISTERED BRAND", "Metals", False, "KGM", "BE", "1", 2500, 8.0, 9.8),
    _g("760421", "HOLLOW PROFILES OF ALUMINIUM ALLOY 6063-T5, EXTRUDED, MILL FINISH", "Aluminium", False, "KGM", "BE", "1", 800, 3.0, 4.2),
    _g("841510", "WALL-MOUNTED SPLIT AIR CONDITIONERS, 12,000 BTU/H, INVERTER", "Cooling", False, "SET", "CT", "38", 1, 180.0, 320.0),
    _g("841821", "HOUSEHOLD REFRIGERATORS, COMPRESSION TYPE, 250 L, TWO DOORS", "Appliances", False, "PCE", "CT", "55", 1, 160.0, 340.0),
    _g("847130", "PORTABLE NOTEBOOK COMPUTERS, 14 INCH, WEIGHING NOT MORE THAN 10 KG", "Electronics", False, "PCE", "CT", "1.6", 5, 320.0, 900.0, True),
    _g("847330", "PARTS FOR COMPUTERS: HARD DISK DRIVE HEAD STACK ASSEMBLIES", "Precision", False, "PCE", "BX", "0.02", 500, 4.0, 9.0, True),
    _g("850440", "STATIC CONVERTERS: SWITCH-MODE POWER SUPPLIES, 65 W", "Power", False, "PCE", "CT", "0.3", 50, 4.0, 12.0),
    _g("851713", "SMARTPHONES, 6.1 INCH DISPLAY, 128 GB STORAGE, DUAL SIM", "Mobile", False, "PCE", "CT", "0.35", 20, 120.0, 480.0, True),
    _g("852872", "LED COLOUR TELEVISION RECEIVERS, 55 INCH, 4K UHD", "Electronics", False, "PCE", "CT", "17", 1, 220.0, 480.0),
    _g("854143", "PHOTOVOLTAIC MODULES, MONOCRYSTALLINE, 550 WP", "Solar", False, "PCE", "PX", "28", 31, 70.0, 120.0),
    _g("854231", "ELECTRONIC INTEGRATED CIRCUITS: PROCESSORS AND CONTROLLERS", "Semiconductor", False, "PCE", "BX", "0.002", 2000, 0.8, 12.0, True),
    _g("870899", "PARTS OF MOTOR VEHICLES: SUSPENSION RUBBER-METAL BUSHINGS", "Auto Parts", False, "KGM", "CT", "1", 20, 4.0, 9.0),
    _g("871200", "BICYCLES, NOT MOTORISED, 26 INCH MOUNTAIN BIKES", "Cycles", False, "PCE", "CT", "15", 1, 70.0, 180.0),
    _g("940360", "WOODEN DINING TABLES OF RUBBERWOOD, KNOCK-DOWN, 150 X 90 CM", "Furniture", False, "PCE", "CT", "32", 1, 60.0, 140.0),
    _g("940171", "UPHOLSTERED SEATS WITH METAL FRAMES, OFFICE CHAIRS", "Furniture", False, "PCE", "CT", "14", 1, 35.0, 90.0),
    _g("950300", "PLASTIC TOY CONSTRUCTION BLOCK SETS, 500 PIECES", "Toys", False, "SET", "CT", "0.9", 12, 6.0, 18.0),
    _g("950662", "INFLATABLE FOOTBALLS, SIZE 5, HAND STITCHED", "Sports", False, "PCE", "CT", "0.45", 50, 3.0, 9.0),
    _g("271019", "LUBRICATING OILS: ENGINE OIL SAE 15W-40, IN 209 L DRUMS", "Lubricants", False, "LTR", "DR", "0.88", 209, 1.1, 2.0),
)  # fmt: skip

_ISSUERS = {  # preferential certificates are certified by a government authority in many economies
    "SG": "Singapore Customs", "MY": "Ministry of Investment, Trade and Industry", "TH": "Department of Foreign Trade",
    "VN": "Ministry of Industry and Trade", "ID": "Ministry of Trade of the Republic of Indonesia",
    "PH": "Bureau of Customs", "CN": "China Council for the Promotion of International Trade",
    "IN": "Export Inspection Council of India", "KR": "Korea Customs Service",
}  # fmt: skip


def _money(value: Decimal, places: str = "0.01") -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


class _Builder:
    """One certificate's worth of choices, all drawn from one ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, seq: Any) -> Any:
        return self.rng.choice(sorted(seq) if isinstance(seq, (set, frozenset)) else seq)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def person(self, economy: str) -> str:
        given, family, family_first = _PEOPLE[ECONOMIES[economy].people]
        g, f = self.pick(given), self.pick(family)
        return f"{f} {g}" if family_first else f"{g} {f}"

    def company(self, economy: str, trade: str) -> str:
        name = f"{self.pick(_TRADE_WORDS)} {trade}"
        if self.chance(0.3):
            name = f"{name} {self.pick(('Trading', 'Industries', 'International', 'Manufacturing', 'Export'))}"
        return ECONOMIES[economy].company.format(name)

    def address(self, economy: str, city: str | None = None) -> str:
        e = ECONOMIES[economy]
        city = city or self.pick(e.cities)
        street = (
            f"{self.rng.randint(1, 999)} {self.pick(_STREETS + _LOCAL_STREETS.get(e.people, ()))}"
        )
        if self.chance(0.4):
            street = f"Unit {self.rng.randint(1, 30)}-{self.rng.randint(1, 20):02d}, {street}"
        sep = "\n" if self.chance(0.3) else ", "
        return f"{street}{sep}{city} {self.rng.randint(10000, 99999)}, {e.name.removeprefix('the ').upper()}"

    def party(self, economy: str, trade: str) -> dict[str, str]:
        return {
            "name": self.company(economy, trade),
            "address": self.address(economy),
            "country": economy,
        }


def _form_options(economy: str) -> list[tuple[str, frozenset[str], int]]:
    """(form, possible importing countries, weight) open to an exporter in ``economy``."""
    others = frozenset(ECONOMIES) - {economy}
    options: list[tuple[str, frozenset[str], int]] = [("ICC_CO", others, 25)]
    if economy in ASEAN:
        options += [
            ("FORM_D", ASEAN - {economy}, 30), ("FORM_E", frozenset({"CN"}), 12),
            ("RCEP", RCEP_PARTIES - {economy}, 10), ("FORM_AK", frozenset({"KR"}), 4),
            ("FORM_AJ", frozenset({"JP"}), 4), ("FORM_AI", frozenset({"IN"}), 4),
            ("AANZ", frozenset({"AU", "NZ"}), 4), ("FORM_AHK", frozenset({"HK"}), 2),
        ]  # fmt: skip
    ten = {"CN": ("FORM_E", 30), "KR": ("FORM_AK", 15), "JP": ("FORM_AJ", 15), "IN": ("FORM_AI", 20),
           "AU": ("AANZ", 15), "NZ": ("AANZ", 15), "HK": ("FORM_AHK", 15)}  # fmt: skip
    if economy in ten:
        form, weight = ten[economy]
        options.append((form, ASEAN, weight))
    if economy in RCEP_PARTIES and economy not in ASEAN:
        options.append(("RCEP", RCEP_PARTIES - {economy}, 20))
    if economy in EU:
        options += [("EUR1", EUR1_PARTNERS, 20), ("EUR_MED", PEM_PARTNERS, 5)]
    if economy in EUR1_PARTNERS:
        options += [("EUR1", EU, 25), ("EUR_MED", EU, 5)]
    if economy in GSP_BENEFICIARIES:
        options.append(("FORM_A", GSP_DONORS, 20 if economy not in ASEAN else 5))
    return options


def _item_count(b: _Builder, max_items: int) -> int:
    n = b.rng.choices((1, 2, 3, 4, 5, 6, 11, 21), weights=(35, 20, 15, 10, 8, 7, 3, 2))[0]
    if n == 6:
        n = b.rng.randint(6, 10)
    elif n == 11:
        n = b.rng.randint(11, 20)
    elif n == 21:
        n = b.rng.randint(21, 50)
    return min(n, max_items)


def _criterion(b: _Builder, form: str, goods: _Goods, importer: str) -> dict[str, str] | None:
    allowed = FORMS[form].criteria
    if allowed is None:
        return None
    if form == "FORM_A":
        if goods.wholly_obtained:
            return {"code": "P"}
        if importer == "RU":
            return {"code": "Y", "percentage": str(b.rng.randint(50, 70))}
        return {"code": "W"}
    if goods.wholly_obtained:
        return {"code": "WO"}
    shift = {"FORM_E": ("CTH", "PSR", "PE"), "RCEP": ("CTC", "PE", "CR")}.get(
        form, ("CTH", "CTSH", "CC", "PE")
    )
    if b.chance(0.55):
        return {"code": "RVC", "percentage": str(b.rng.randint(40, 85))}
    return {"code": b.pick(shift)}


def _hs(b: _Builder, form: str, goods: _Goods) -> str:
    if FORMS[form].hs_digits == 6 or b.chance(0.5):
        return goods.hs
    return goods.hs + b.pick(("00", "10", "90", "0000", "1000", "9090"))


def _statement(form: str, agreement: str | None, origin: str, importer: str) -> str:
    made_in = "the European Union" if origin == "EU" else ECONOMIES[origin].name
    to = ECONOMIES[importer].name
    if form == "ICC_CO":
        return f"The undersigned hereby declares that the above details and statements are correct and that all the goods were produced in {made_in}."
    if form in ("EUR1", "EUR_MED"):
        return ("The undersigned, exporter of the goods described, declares that the goods meet the conditions "
                "required for the issue of this certificate, and undertakes to submit any supporting evidence "
                "the appropriate authorities may require.")  # fmt: skip
    return (
        f"The undersigned hereby declares that the above details and statements are correct, that all the goods "
        f"were produced in {made_in}, and that they comply with the origin requirements specified for these goods "
        f"in {_AGREEMENT_NAMES[agreement or '']} for the goods exported to {to}."
    )


def _agreement(form: str, exporter: str, importer: str) -> str | None:
    fixed = FORMS[form].agreement
    if FORMS[form].kind == "non_preferential":
        return None
    if fixed is not None:
        return fixed
    if form == "EUR_MED":
        return "PEM"
    return f"EU-{importer if exporter in EU else exporter}"


def _build(
    rng: random.Random,
    *,
    number: str | None,
    economy: str | None,
    items: int | None,
    serial: int | None,
    issued_on: date | None = None,
    body_name: str | None = None,
    ledger_id: int | None = None,
) -> dict[str, Any]:
    b = _Builder(rng)
    if economy is not None and economy not in ECONOMIES:
        raise DocumentError(
            f"no sample data for economy {economy!r}", code="sample_unknown_economy"
        )
    if items is not None and not (isinstance(items, int) and 1 <= items <= 50):
        raise DocumentError(f"items must be 1 to 50, got {items!r}", code="sample_bad_items")
    exporter_economy = economy or b.pick(sorted(ECONOMIES))
    options = [
        o
        for o in _form_options(exporter_economy)
        if items is None or items <= FORMS[o[0]].max_items
    ]
    form, importers, _ = rng.choices(options, weights=[o[2] for o in options])[0]
    rule = FORMS[form]
    importer = b.pick(importers)
    agreement = _agreement(form, exporter_economy, importer)
    e = ECONOMIES[exporter_economy]

    # today: a fresh sample is in force when verified (every form is valid for months)
    issue = issued_on or _today()
    retro = b.chance(0.06)
    departure = (
        issue - timedelta(days=rng.randint(4, 120))
        if retro
        else issue + timedelta(days=rng.randint(-3, 12))
    )
    invoice_date = min(issue, departure) - timedelta(days=rng.randint(0, 20))
    serial_text = f"{serial:011d}" if serial is not None else f"{rng.randrange(10**11):011d}"
    prefix = f"{exporter_economy}-{issue.year}-{form.replace('_', '')}"
    number = number or f"{prefix}-{serial_text}"

    # back-to-back: only between parties of a closed agreement, origin from the first party
    b2b = form in ("FORM_D", "FORM_E", "RCEP") and b.chance(0.05)
    origin = "EU" if (form in ("EUR1", "EUR_MED") and exporter_economy in EU) else exporter_economy
    original_proof = None
    if b2b:
        parties = {"FORM_D": ASEAN, "FORM_E": ASEAN | {"CN"}, "RCEP": RCEP_PARTIES}[form]
        first = b.pick(parties - {exporter_economy, importer})
        origin = first
        original_proof = {
            "number": f"{first}-{issue.year}-{form.replace('_', '')}-{rng.randrange(10**7):07d}",
            "issue_date": (invoice_date - timedelta(days=rng.randint(5, 60))).isoformat(),
            "issuing_country": first,
            "country_of_origin": first,
        }
        if form == "RCEP" and b.chance(0.5):
            original_proof["approved_exporter"] = f"{first}AE{rng.randrange(10**6):06d}"

    main_goods = b.pick(GOODS)
    count = items if items is not None else _item_count(b, rule.max_items)
    lines = [main_goods] + [b.pick(GOODS) for _ in range(count - 1)]
    exporter = b.party(exporter_economy, main_goods.trade)
    invoice_no = (
        f"{b.pick(('INV', 'CI', 'EXP', 'PI'))}-{issue.strftime('%y')}{rng.randrange(10**5):05d}"
    )
    currency = "USD" if b.chance(0.7) or e.currency in ("USD",) else e.currency
    by_air = main_goods.by_air and b.chance(0.7)

    goods = []
    for i, g in enumerate(lines):
        packages = rng.randint(1, 5) if g.package in ("VY", "CL") else rng.randint(5, 1200)
        qty = (
            Decimal(packages * g.units_per_package)
            if g.package != "VY"
            else Decimal(rng.randint(2000, 40000)) * 1000
        )
        net_kg = qty * g.kg_per_unit
        gross = net_kg * Decimal(str(round(rng.uniform(1.02, 1.12), 3))) + Decimal(
            rng.randint(0, 40)
        )
        price = Decimal(str(round(rng.uniform(*g.usd_per_unit), 2)))
        item: dict[str, Any] = {
            "item_number": i + 1,
            "hs_code": _hs(b, form, g),
            "description": g.description,
            "marks_and_numbers": "N/M"
            if b.chance(0.3)
            else f"{invoice_no}\nC/NO. 1-{packages}\nMADE IN {ECONOMIES[origin].name.upper() if origin != 'EU' else 'EU'}",
            "packages": {"count": packages, "kind": g.package},
            "quantity": {
                "value": _money(qty, "1") if g.unit not in ("KGM", "LTR", "MTQ") else _money(qty),
                "unit": g.unit,
            },
            "gross_weight_kg": _money(gross),
            "invoice": {"number": invoice_no, "date": invoice_date.isoformat()},
        }
        criterion = _criterion(b, form, g, importer)
        if criterion is not None:
            item["origin_criterion"] = criterion
        if (
            (criterion is not None and criterion["code"] == "RVC")
            or form == "FORM_E"
            or (form == "RCEP" and b.chance(0.3))
        ):
            item["fob_value"] = {"amount": _money(qty * price), "currency": currency}
        item_origin = origin
        if form == "ICC_CO" and b.chance(0.1):
            item_origin = b.pick(("CN", "VN", "DE", "US", "JP", "IN", "TH"))
        item["country_of_origin"] = item_origin
        goods.append(item)

    land = frozenset({exporter_economy, importer}) in _LAND
    if by_air:
        mode = "air"
    elif land:
        mode = b.pick(("road", "road", "rail"))
    elif not e.ports:
        mode = "multimodal"  # landlocked: by road or rail to a sea port, then by sea
    else:
        mode = "sea" if b.chance(0.95) else "multimodal"
    imp = ECONOMIES[importer]
    transport: dict[str, Any] = {"departure_date": departure.isoformat(), "mode": mode}
    if mode == "air":
        transport["vessel_or_flight"] = (
            f"{b.pick(('SQ', 'MH', 'TG', 'CX', 'LH', 'EK', 'QR', 'CA', 'NH'))} {rng.randint(100, 9899)}"
        )
        transport["port_of_loading"] = e.airport
        transport["port_of_discharge"] = imp.airport
    elif mode in ("sea", "multimodal"):
        if b.chance(0.85):
            transport["vessel_or_flight"] = (
                f"{b.pick(('MAERSK', 'MSC', 'CMA CGM', 'COSCO', 'ONE', 'EVER', 'HMM', 'WAN HAI'))} "
                f"{b.pick(('ORION', 'LOTUS', 'HORIZON', 'DIAMOND', 'PEARL', 'SEOUL', 'GENOA', 'LAGOS'))} "
                f"V.{rng.randint(1, 999):03d}{b.pick('NSEW')}"
            )
        transport["port_of_loading"] = b.pick(e.ports) if e.ports else b.pick(e.cities)
        transport["port_of_discharge"] = b.pick(imp.ports) if imp.ports else b.pick(imp.cities)
        if b.chance(0.2):
            transport["route"] = (
                f"VIA {b.pick(('SINGAPORE', 'PORT KLANG', 'HONG KONG', 'BUSAN', 'ROTTERDAM', 'JEBEL ALI'))}"
            )
    else:
        transport["vessel_or_flight"] = (
            f"TRUCK {rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
            if mode == "road"
            else f"TRAIN {rng.randint(100, 999)}"
        )
        transport["port_of_loading"] = b.pick(e.cities)
        transport["port_of_discharge"] = b.pick(imp.cities)

    flags = {k: False for k in ("issued_retroactively", "back_to_back", "third_party_invoicing", "certified_true_copy",
                                "duplicate", "exhibition", "de_minimis", "accumulation", "partial_cumulation")}  # fmt: skip
    flags["issued_retroactively"] = retro
    flags["back_to_back"] = b2b
    cert: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "number": number,
        "kind": rule.kind,
        "form": form,
    }
    if agreement is not None:
        cert["agreement"] = agreement
    city = b.pick(e.cities)
    authority = _ISSUERS.get(exporter_economy) if rule.kind == "preferential" else None
    issuing_body: dict[str, Any] = {
        "name": body_name or authority or f"{city} Chamber of Commerce and Industry",
        "economy": exporter_economy,
    }
    if ledger_id is not None:
        issuing_body["ledger_id"] = ledger_id
    if authority is None and b.chance(0.6):
        issuing_body["accreditation_ref"] = f"WCF-{exporter_economy}-{rng.randint(1, 400):03d}"
    cert |= {
        "issue_date": issue.isoformat(),
        "issue_place": city,
        "valid_until": default_valid_until(issue, form).isoformat(),
        "issuing_body": issuing_body,
        "exporter": exporter,
    }
    roll = rng.random()
    if roll < 0.4:
        cert["producer"] = "SAME"
    elif roll < 0.7:
        cert["producer"] = b.party(origin if origin != "EU" else exporter_economy, main_goods.trade)
    elif roll < 0.75:
        cert["producer"] = "UNKNOWN"
    else:
        cert["producer"] = "AVAILABLE_UPON_REQUEST"
    if b.chance(0.03):
        consignee: dict[str, str] = {"name": "TO ORDER", "country": importer}
        if b.chance(0.5):
            consignee = {
                "name": f"TO ORDER OF {b.pick(('BANK OF CHINA', 'HSBC', 'DBS BANK LTD.', 'MUFG BANK, LTD.'))}",
                "country": importer,
            }
    else:
        consignee = b.party(importer, b.pick(GOODS).trade)
    cert["consignee"] = consignee
    cert["importing_country"] = importer
    cert["transport"] = transport
    cert["goods"] = goods
    cert["declaration"] = {
        "place": city,
        "date": (issue - timedelta(days=rng.randint(0, 2))).isoformat(),
        "signatory": f"{b.person(exporter_economy)}, {b.pick(('Export Manager', 'Director', 'Logistics Executive', 'Managing Director'))}",
        "statement": _statement(form, agreement, origin, importer),
    }

    remarks: list[str] = []
    if b.chance(0.3):
        remarks.append(f"ORDER NO. PO-{rng.randrange(10**6):06d}")
    if b.chance(0.15):
        remarks.append(
            f"L/C NO. {rng.randrange(10**10):010d} DATED {invoice_date.strftime('%d %b %Y').upper()}"
        )
    if b2b and original_proof is not None:
        remarks.append(f"ORIGINAL PROOF OF ORIGIN NO. {original_proof['number']}")
    if rule.kind == "preferential" and b.chance(0.05):
        where = b.pick(
            sorted({"HK", "SG", "AE", "CH", "US", "GB", "JP"} - {exporter_economy, importer})
        )
        tpi: dict[str, Any] = {"name": b.company(where, "Trading"), "country": where}
        if b.chance(0.6):
            tpi["invoice"] = {
                "number": f"TP-{rng.randrange(10**6):06d}",
                "date": invoice_date.isoformat(),
            }
        cert["third_party_invoicer"] = tpi
        flags["third_party_invoicing"] = True
    if form in ("EUR1", "EUR_MED") and b.chance(0.05):
        earlier = issue - timedelta(days=rng.randint(1, 60))
        cert["duplicate_of"] = {
            "number": f"{prefix}-D{rng.randrange(10**8):08d}",
            "issue_date": earlier.isoformat(),
        }
        flags["duplicate"] = True
        remarks.append("DUPLICATE")
    elif b.chance(0.01):
        earlier = issue - timedelta(days=rng.randint(1, 90))
        cert["copy_of"] = {
            "number": f"{prefix}-C{rng.randrange(10**8):08d}",
            "issue_date": earlier.isoformat(),
        }
        flags["certified_true_copy"] = True
        remarks.append("CERTIFIED TRUE COPY")
    if retro and form in ("EUR1", "EUR_MED"):
        remarks.append("ISSUED RETROSPECTIVELY")
    if form == "FORM_D":
        flags["exhibition"] = b.chance(0.01)
        flags["partial_cumulation"] = b.chance(0.02)
    if rule.criteria is not None and form != "FORM_A":
        flags["de_minimis"] = b.chance(0.03)
        flags["accumulation"] = b.chance(0.04)
    if b.chance(0.02):
        old_date = issue - timedelta(days=rng.randint(1, 30))
        old = f"{prefix}-R{rng.randrange(10**8):08d}"
        reason = b.pick(("clerical error in the consignee address", "amendment of the invoice number",
                         "correction of the gross weight", "lost in transit"))  # fmt: skip
        cert["replaces"] = {"number": old, "issue_date": old_date.isoformat(), "reason": reason}
        remarks.append(
            f"THIS CERTIFICATE CANCELS AND REPLACES CERTIFICATE {old} ISSUED ON {old_date.isoformat()}"
        )
    if remarks:
        cert["remarks"] = "\n".join(remarks)
    cert["flags"] = flags
    if original_proof is not None:
        cert["original_proof"] = original_proof
    return _canonical_order(cert)


_ORDER = (
    "schema", "number", "kind", "form", "agreement", "issue_date", "issue_place", "valid_until", "issuing_body",
    "exporter", "producer", "consignee", "importing_country", "transport", "goods", "declaration", "remarks",
    "flags", "original_proof", "third_party_invoicer", "copy_of", "duplicate_of", "replaces",
)  # fmt: skip


def _today() -> date:
    return datetime.now(UTC).date()


def _canonical_order(cert: dict[str, Any]) -> dict[str, Any]:
    return {k: cert[k] for k in _ORDER if k in cert}


def sample_certificate(
    rng: random.Random,
    *,
    number: str | None = None,
    economy: str | None = None,
    items: int | None = None,
    issued_on: date | None = None,
    issuing_body: str | None = None,
    ledger_id: int | None = None,
) -> dict[str, Any]:
    """One realistic certificate dict; ``economy`` is the exporter's (and issuing body's) economy.

    Issued today unless ``issued_on`` pins the date, so a fresh sample is in force today.
    ``issuing_body`` and ``ledger_id`` name the issuing body and its IssuerRegistry id, for a
    demo whose certificates must name the chambers it accredited; without ``ledger_id`` the
    issuer writes the signing body's id and name (an issued document always carries them).
    """
    return _build(
        rng,
        number=number,
        economy=economy,
        items=items,
        serial=None,
        issued_on=issued_on,
        body_name=issuing_body,
        ledger_id=ledger_id,
    )


def sample_batch(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` certificates with distinct numbers, the same for the same ``(n, seed)``."""
    if not isinstance(n, int) or n < 0 or n >= 10**6:
        raise DocumentError(f"n must be 0 to 999999, got {n!r}", code="sample_bad_count")
    rng = random.Random(seed)
    base = rng.randrange(10**5) * 10**6
    return [_build(rng, number=None, economy=None, items=None, serial=base + i) for i in range(n)]
