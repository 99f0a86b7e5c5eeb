"""Records: every mention of a facility as the contributor list that names it writes it.

`records(facilities, habits, assignment, rng)` joins each (facility, list) mention with the facility's
parts and the list's habits (`lists.py`) and builds the harness's input columns with Polars
expressions: the name (Latin script; Chinese characters for CN/HK facilities on lists that use them;
Vietnamese word order and diacritics on Vietnamese-language lists), the address (parts in either
order, with or without district, province, postcode; or the Chinese-character address), the country as
the list spells it, and the coordinates at the list's precision. Per-row random numbers come from one
generator, so the result is a pure function of its inputs and the seed. The `noise` column names what
was done to each row.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from benchmarks.er.supplier_world import text, where
from benchmarks.er.supplier_world.lexicon import Lexicon

UNIFORMS = (
    "u_native", "u_native_address", "u_variant", "u_missing", "u_typo", "u_typo_pos", "u_typo_kind",
    "u_typo_letter", "u_address_typo", "u_coords", "u_country", "u_legal",
)  # fmt: skip
NATIVE_ADDRESS_SHARE = 0.8


def _legal_table(lexicon: Lexicon) -> pl.DataFrame:
    return lexicon.legal.select(
        pl.col("group").alias("legal_group"),
        pl.col("side").alias("legal_side"),
        pl.col("spellings").alias("legal_spellings"),
        pl.col("spellings")
        .list.eval(pl.element().sort_by(pl.element().str.len_chars()))
        .list.first()
        .alias("legal_short"),
        pl.col("spellings")
        .list.eval(pl.element().sort_by(pl.element().str.len_chars()))
        .list.last()
        .alias("legal_long"),
    )


def _script() -> pl.Expr:
    chinese = pl.col("pattern").is_in(["cn", "hk"]) & pl.col("brand_native").is_not_null()
    return (
        pl.when(chinese & (pl.col("u_native") < pl.col("h_native_rate")))
        .then(pl.lit("native"))
        .when((pl.col("pattern") == "vn") & pl.col("h_vietnamese"))
        .then(pl.lit("vietnamese"))
        .otherwise(pl.lit("latin"))
    )


def _latin_name() -> pl.Expr:
    c = pl.col
    syllabic = c("pattern").is_in(["cn", "kh"])
    brand = (
        pl.when(syllabic & (c("h_spacing") == "spaced")).then(c("brand_spaced"))
        .when(syllabic & (c("h_spacing") == "camel")).then(c("brand_spaced").str.replace_all(" ", ""))
        .otherwise(c("brand"))
    )  # fmt: skip
    trade = (
        pl.when((c("h_trade") == "alternate") & (c("industry_alt") != "")).then(c("industry_alt"))
        .when(c("h_trade") == "local").then(c("industry_local"))
        .otherwise(c("industry"))
    )  # fmt: skip
    cn = c("pattern") == "cn"
    before = pl.when(cn & (c("h_place") == "prefix")).then(c("place"))
    after = (
        pl.when(cn & (c("h_place") == "suffix")).then(c("place"))
        .when((cn & (c("h_place") == "paren")) | ((c("pattern") == "kh") & (c("h_place") != "drop")))
        .then(pl.format("({})", c("place")))
    )  # fmt: skip
    core = pl.concat_str([before, brand, trade, c("qualifier"), after], separator=" ", ignore_nulls=True)
    legal = (
        pl.when(c("h_legal") == "drop").then(None)
        .when(c("h_legal") == "short").then(c("legal_short"))
        .when(c("h_legal") == "long").then(c("legal_long"))
        .when(c("h_legal") == "other")
        .then(c("legal_spellings").list.get(
            (c("u_legal") * c("legal_spellings").list.len()).cast(pl.Int64), null_on_oob=True
        ))
        .otherwise(c("legal_written"))
    )  # fmt: skip
    legal = pl.when(legal == "").then(None).otherwise(legal)
    return (
        pl.when(c("legal_side") == "prefix")
        .then(pl.concat_str([legal, core], separator=" ", ignore_nulls=True))
        .otherwise(pl.concat_str([core, legal], separator=" ", ignore_nulls=True))
    )


def _native_name() -> pl.Expr:
    """Chinese characters, no spaces: registered city, brand, trade, legal form, unit
    (南通华峰家纺有限公司)."""
    c = pl.col
    return pl.concat_str(
        [
            c("place_native"),
            c("brand_native"),
            c("industry_native"),
            c("legal_native"),
            c("qualifier_native"),
        ],
        ignore_nulls=True,
    )


def _vietnamese_name() -> pl.Expr:
    """Vietnamese order: legal form first, then trade and brand ("Công ty TNHH May Việt Thành")."""
    c = pl.col
    legal = pl.when(c("h_legal") != "drop").then(c("legal_native"))
    parts = [legal, c("industry_native"), c("brand_native"), c("qualifier")]
    return pl.concat_str(parts, separator=" ", ignore_nulls=True)


def _tags() -> pl.Expr:
    """What was done to the row, |-separated (for missed-pair lifts and reading errors)."""
    c = pl.col
    latin = c("script") != "native"
    has_legal = c("legal_side").is_not_null() & (c("legal_group") != "none")
    tags = {
        "native_script": c("script") == "native",
        "vietnamese": c("script") == "vietnamese",
        "place_dropped": (c("pattern") == "cn") & (c("h_place") == "drop") & latin,
        "place_moved": (c("pattern") == "cn") & c("h_place").is_in(["suffix", "paren"]) & latin,
        "syllables_spaced": c("pattern").is_in(["cn", "kh"]) & (c("h_spacing") != "joined") & latin,
        "trade_translated": c("industry").is_not_null() & (c("h_trade") == "alternate") & latin,
        "trade_local": c("industry").is_not_null() & (c("h_trade") == "local") & latin,
        "legal_dropped": has_legal & (c("h_legal") == "drop"),
        "legal_respelled": has_legal & c("h_legal").is_in(["short", "long", "other"]) & latin,
        "abbreviated": (c("h_abbreviate") == "abbreviate") & latin,
        "expanded": (c("h_abbreviate") == "expand") & latin,
        "ascii_fold": c("h_fold") & latin & c("had_diacritics"),
        "typo": c("typo_name"),
        "address_typo": c("typo_address"),
        "address_missing": c("address").is_null(),
        "address_partial": c("h_address").is_in(["street_city", "city_only"]),
        "address_reversed": c("h_reversed")
        & c("h_address").is_in(["full", "no_province", "street_city"])
        & (c("pattern") != "seed")
        & ~c("native_address"),
        "native_address": c("native_address"),
        "coords_missing": c("lat_out").is_nan() | c("lat_out").is_null(),
        "coords_offset": c("h_coords").is_in(["offset", "centroid"]) & c("lat_out").is_not_nan(),
        "country_variant": c("h_country_style") == "variant",
    }
    return pl.concat_str(
        [pl.when(cond).then(pl.lit(tag)) for tag, cond in tags.items()], separator="|", ignore_nulls=True
    )


def records(
    facilities: pl.DataFrame,
    habits: pl.DataFrame,
    assignment: pl.DataFrame,
    lexicon: Lexicon,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """One row per (facility, list) mention: name, address, country, lat, lng and the labels."""
    c = pl.col
    lists = habits.rename({name: f"h_{name}" for name in habits.columns if name != "list_id"}).with_row_index(
        "list"
    )
    frame = (
        assignment.join(facilities.with_row_index("fac"), on="fac", how="left", maintain_order="left")
        .join(
            lists.with_columns(c("list").cast(assignment["list"].dtype)),
            on="list",
            how="left",
            maintain_order="left",
        )
        .join(_legal_table(lexicon), on="legal_group", how="left", maintain_order="left")
        .join(
            where.country_table(lexicon, facilities["country"].unique().to_list()),
            on="country",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.Series(name, rng.random(assignment.height)) for name in UNIFORMS)
        .with_columns(script=_script())
    )
    native_address = (
        (c("script") == "native")
        & c("addr_native").is_not_null()
        & (c("u_native_address") < NATIVE_ADDRESS_SHARE)
    )
    frame = frame.with_columns(
        name=pl.when(c("script") == "native")
        .then(_native_name())
        .when(c("script") == "vietnamese")
        .then(_vietnamese_name())
        .otherwise(_latin_name()),
        address=pl.when(native_address).then(c("addr_native")).otherwise(where.address()),
        native_address=native_address,
    ).with_columns(
        address=pl.when(c("u_missing") < c("h_address_missing")).then(None)
        .when((c("country") == "CN") & c("h_pinyin_roads") & ~c("native_address"))
        .then(text.pinyin_roads(c("address")))
        .otherwise(c("address"))
    )  # fmt: skip
    frame = frame.with_columns(had_diacritics=c("name").str.contains(r"[^\x00-\x7F]").fill_null(False))
    for column in ("name", "address"):
        ways = {
            ("abbreviate", dot): (lambda e, d=dot: text.abbreviate(e, "abbreviate", d))
            for dot in (True, False)
        }
        ways |= {("expand", dot): (lambda e: text.abbreviate(e, "expand", False)) for dot in (True, False)}
        frame = text.by_habit(frame, ["h_abbreviate", "h_dot"], column, ways)
        frame = text.by_habit(frame, ["h_fold"], column, {(True,): text.fold})
    latin = c("script") != "native"
    typo_name = latin & (c("u_typo") < c("h_typo_rate"))
    typo_address = (
        c("address").is_not_null() & ~c("native_address") & (c("u_address_typo") < c("h_typo_rate") / 2)
    )
    frame = frame.with_columns(
        name=pl.when(latin).then(text.change_case(c("name"), c("h_case"))).otherwise(c("name")),
        address=pl.when(~c("native_address"))
        .then(text.change_case(c("address"), c("h_case")))
        .otherwise(c("address")),
    ).with_columns(
        name=pl.when(typo_name)
        .then(text.typo(c("name"), c("u_typo_pos"), c("u_typo_kind"), c("u_typo_letter")))
        .otherwise(c("name")),
        address=pl.when(typo_address)
        .then(text.typo(c("address"), c("u_typo_kind"), c("u_typo_pos"), c("u_typo_letter")))
        .otherwise(c("address")),
        typo_name=typo_name,
        typo_address=typo_address.fill_null(False),
        country_out=where.country(),
    )
    lat, lng = where.positions(frame, rng)
    frame = frame.with_columns(lat_out=pl.Series(lat), lng_out=pl.Series(lng)).with_columns(noise=_tags())
    return frame.select(
        "name", "address", c("country_out").alias("country"),
        c("lat_out").fill_nan(None).alias("lat"), c("lng_out").fill_nan(None).alias("lng"),
        c("facility_id").alias("true_facility"), c("family_id").alias("group_id"),
        c("family").alias("source"), "kind", "list_id", "noise",
    )  # fmt: skip
