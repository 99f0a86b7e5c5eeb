"""Reference lists: the DOL 2022 goods list (copied as is) and a small trade-restriction list.

The entity list holds real, public US Government entries (DHS UFLPA Entity List; CBP Withhold
Release Orders and Findings), public domain. listed_date is the date the entry took effect (UFLPA)
or the WRO / Finding date (CBP). Some CBP actions were later modified (e.g. Top Glove in 2021, FGV
in 2026); this is a demo snapshot, not a compliance source: check the reference_url.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from demo.facilities import SEEDS_DIR
from demo.output import write_csv

DOL_PATH = "reference/dol_tvpra_goods_2022.csv"
ENTITY_PATH = "reference/trade_restriction_entities.csv"
UFLPA_URL = "https://www.dhs.gov/uflpa-entity-list"
CBP_URL = "https://www.cbp.gov/trade/forced-labor/withhold-release-orders-and-findings"
HEADER = ["list_name", "entity_name", "aliases", "country", "listed_date", "reference_url"]
UFLPA = [  # entity_name, aliases, listed_date
    ("Xinjiang Production and Construction Corps", "XPCC|Bingtuan", "2022-06-21"),
    ("Hoshine Silicon Industry Co., Ltd.", "Hoshine Silicon Industry (Shanshan) Co., Ltd.", "2022-06-21"),
    (
        "Xinjiang Daqo New Energy Co., Ltd.",
        "Xinjiang Great New Energy Co., Ltd.|Xinjiang Daxin Energy Co., Ltd.|Xinjiang Daqin Energy Co., Ltd.",
        "2022-06-21",
    ),
    ("Xinjiang East Hope Nonferrous Metals Co., Ltd.", "", "2022-06-21"),
    ("Xinjiang GCL New Energy Material Technology Co., Ltd.", "", "2022-06-21"),
    ("Hetian Haolin Hair Accessories Co., Ltd.", "", "2022-06-21"),
    ("Hetian Taida Apparel Co., Ltd.", "", "2022-06-21"),
    ("Baoding LYSZD Trade and Business Co., Ltd.", "", "2022-06-21"),
    ("Yili Zhuowan Garment Manufacturing Co., Ltd.", "", "2022-06-21"),
    ("Changji Esquel Textile Co. Ltd.", "Changji Yida Textile Co., Ltd.", "2022-06-21"),
    ("Aksu Huafu Textiles Co., Ltd.", "Akesu Huafu Textiles Co.", "2022-06-21"),
    ("Xinjiang Junggar Cotton and Linen Co., Ltd.", "", "2022-06-21"),
    ("Hefei Bitland Information Technology Co., Ltd.", "", "2022-06-21"),
    ("Hefei Meiling Co. Ltd.", "", "2022-06-21"),
    ("Lop County Meixin Hair Product Co., Ltd.", "", "2022-06-21"),
    ("Lop County Hair Product Industrial Park", "", "2022-06-21"),
    ("Nanchang O-Film Tech", "", "2022-06-21"),
    ("Xinjiang Zhongtai Chemical Co., Ltd.", "", "2023-06-12"),
    ("Ninestar Corporation", "", "2023-06-12"),
    ("Camel Group Co., Ltd.", "", "2023-08-02"),
    ("Chenguang Biotech Group Co., Ltd.", "ChenGuang Biotech Group Co., Ltd.", "2023-08-02"),
    ("Esquel Group", "Esquel China Holdings Limited", "2024-11-01"),
    ("Turpan Esquel Textile Co., Ltd.", "", "2024-11-01"),
]
CBP = [  # entity_name, aliases, country, listed_date
    ("Hetian Taida Apparel Co., Ltd.", "", "China", "2019-09-30"),
    ("Xinjiang Production and Construction Corps", "XPCC", "China", "2020-12-02"),
    ("Hoshine Silicon Industry Co., Ltd.", "", "China", "2021-06-24"),
    ("Top Glove Corporation Bhd", "Top Glove Sdn Bhd|TG Medical Sdn Bhd", "Malaysia", "2021-03-29"),
    (
        "Smart Glove Corporation Sdn Bhd",
        "GX Corporation Sdn Bhd|GX3 Specialty Plant|Sigma Glove Industries|Platinum Glove Industries Sdn Bhd",
        "Malaysia",
        "2021-11-04",
    ),
    ("Sime Darby Plantation Berhad", "Sime Darby Plantation Bhd", "Malaysia", "2022-01-28"),
    ("FGV Holdings Berhad", "FGV", "Malaysia", "2020-09-30"),
]


def write_reference(out: Path) -> dict[str, int]:
    """Copy the DOL list and write the entity list; return {path: row count}."""
    dol = out / DOL_PATH
    dol.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SEEDS_DIR / "dol_tvpra_goods_2022.csv", dol)
    rows = [
        ["uflpa_entity_list", name, aliases, "China", listed, UFLPA_URL] for name, aliases, listed in UFLPA
    ]
    rows += [
        ["cbp_wro_findings", name, aliases, country, listed, CBP_URL]
        for name, aliases, country, listed in CBP
    ]
    write_csv(out / ENTITY_PATH, HEADER, rows)
    dol_rows = dol.read_text(encoding="utf-8").count("\n") - 1
    return {DOL_PATH: dol_rows, ENTITY_PATH: len(rows)}


def entity_row(entity_name: str, list_name: str) -> int:
    """Return the file row (header = 1) of an entity list entry."""
    names = [("uflpa_entity_list", n) for n, _, _ in UFLPA]
    names += [("cbp_wro_findings", n) for n, _, _, _ in CBP]
    return names.index((list_name, entity_name)) + 2
