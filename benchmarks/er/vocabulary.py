"""Word lists the noise model draws on: legal forms, abbreviations, unit and division words.

Every group lists spellings of the same thing as contributors actually write them; the noise model
only ever swaps a value for another member of its own group, so a varied mention still names the
same facility. Kept small and hand-checked; not a reference for the engine.
"""

from __future__ import annotations

# Legal forms written at the end of a name; each tuple is one form in its usual spellings.
LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("Co., Ltd.", "Co., Ltd", "Co.,Ltd.", "Co.,Ltd", "Co. Ltd.", "Co Ltd", "Company Limited", "Co., Limited"),
    ("Pvt. Ltd.", "Pvt Ltd", "(Pvt) Ltd", "(Pvt.) Ltd.", "Private Limited", "Pvt. Limited"),
    ("Pte. Ltd.", "Pte Ltd", "Pte. Limited"),
    ("Pty Ltd", "Pty. Ltd.", "Proprietary Limited"),
    ("Ltd.", "Ltd", "Limited"),
    ("Inc.", "Inc", "Incorporated"),
    ("Corp.", "Corp", "Corporation"),
    ("LLC", "L.L.C.", "Limited Liability Company"),
    ("PLC", "plc", "Public Limited Company"),
    ("GmbH & Co. KG", "GmbH & Co KG"),
    ("GmbH", "G.m.b.H.", "Gesellschaft mbH"),
    ("AG", "Aktiengesellschaft"),
    ("S.p.A.", "SpA", "S.P.A.", "Società per Azioni"),
    ("S.r.l.", "Srl", "S.R.L."),
    ("S.A. de C.V.", "SA de CV", "S.A. DE C.V."),
    ("S.A.", "SA", "Sociedad Anónima"),
    ("S.L.U.", "SLU", "S.L."),
    ("S.A.S.", "SAS"),
    ("SARL", "S.A.R.L.", "S.à r.l."),
    ("Sp. z o.o.", "Sp. z o. o.", "Sp z oo", "Spółka z o.o."),
    ("s.r.o.", "spol. s r.o.", "S.R.O."),
    ("Kft.", "Kft"),
    ("Zrt.", "Zrt"),
    ("B.V.", "BV"),
    ("N.V.", "NV"),
    ("A/S", "AS"),
    ("Oy", "Oyj"),
    ("AB", "Aktiebolag"),
    ("Ltd. Şti.", "Ltd. Sti.", "Ltd Sti", "Limited Şirketi"),
    ("A.Ş.", "A.S.", "Anonim Şirketi"),
    ("Sdn. Bhd.", "Sdn Bhd", "Sendirian Berhad"),
    ("JSC", "J.S.C.", "Joint Stock Company"),
    ("FZE", "FZ-E"),
    ("FZCO", "FZ Co"),
    ("Limitada", "Ltda.", "Ltda"),
)

# Legal forms written at the start of a name (Indonesia, Viet Nam).
LEGAL_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("PT", "PT.", "P.T."),
    ("CV", "C.V."),
    ("Cong Ty TNHH", "Công ty TNHH", "CÔNG TY TNHH", "Cty TNHH"),
    ("Cong Ty Co Phan", "Công ty Cổ phần", "Cty CP"),
)

# (full word, abbreviation): applied in either direction, per list, with or without a final dot.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("Road", "Rd"),
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Industrial", "Ind"),
    ("Industries", "Inds"),
    ("International", "Intl"),
    ("Manufacturing", "Mfg"),
    ("Garments", "Gmts"),
    ("Textiles", "Tex"),
    ("Company", "Co"),
    ("Building", "Bldg"),
    ("District", "Dist"),
    ("Estate", "Est"),
    ("Province", "Prov"),
    ("Village", "Vill"),
    ("Sector", "Sec"),
    ("Highway", "Hwy"),
    ("Corporation", "Corp"),
    ("Enterprise", "Ent"),
    ("Development", "Dev"),
    ("Technology", "Tech"),
    ("Electric", "Elec"),
    ("Association", "Assn"),
    ("Cooperative", "Coop"),
    ("Municipal", "Muni"),
    ("Hydroelectric", "Hydro"),
    ("Centrale", "C.le"),
    ("Strasse", "Str"),
    ("Floor", "Fl"),
    ("Export Processing Zone", "EPZ"),
    ("Power Station", "PS"),
)

# How lists write a unit number; {n} is the number, {r} the roman numeral.
UNIT_FORMATS: tuple[str, ...] = ("{kind} {n}", "{kind}-{n}", "{kind} No. {n}", "{kind} {r}", "{kind}#{n}")
UNIT_KINDS: tuple[tuple[str, float], ...] = (
    ("Unit", 0.6),
    ("Plant", 0.15),
    ("Factory", 0.15),
    ("Branch", 0.1),
)
ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
DIVISIONS: tuple[str, ...] = (
    "Knitting",
    "Dyeing",
    "Washing",
    "Printing",
    "Spinning",
    "Denim",
    "Sweater",
    "Embroidery",
    "Accessories",
    "Packaging",
)

GERMAN_FOLDS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
# Pinyin initials as older (Wade-Giles style) romanisations write them: "Zhongshan" -> "Chungshan".
PINYIN_TO_WADE: tuple[tuple[str, str], ...] = (
    ("zh", "ch"),
    ("x", "hs"),
    ("q", "ch'"),
    ("z", "ts"),
    ("ong", "ung"),
    ("ian", "ien"),
)
# Vietnamese words as written with their diacritics by contributors in Viet Nam.
VIETNAMESE = {
    "Viet": "Việt",
    "Thanh": "Thành",
    "Hung": "Hưng",
    "Phu": "Phú",
    "Duc": "Đức",
    "Dong": "Đông",
    "Hoa": "Hòa",
    "Binh": "Bình",
    "Tan": "Tân",
    "Phuoc": "Phước",
    "Thai": "Thái",
    "Nam": "Nam",
    "Quang": "Quảng",
    "Long": "Long",
    "Hai": "Hải",
    "Duong": "Dương",
    "Tien": "Tiến",
    "Minh": "Minh",
    "Cong": "Công",
    "Nghiep": "Nghiệp",
}
KEYBOARD_NEIGHBOURS = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji",
    "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip
