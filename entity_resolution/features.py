"""Pair features: named, vectorised comparisons of two facility records (the model's inputs).

Every feature is a float column on the candidate-pair frame, so each link can be explained:
- `name_sort`, `name_set`: rapidfuzz token_sort_ratio / token_set_ratio of normalised names (0-1);
- `name_jaro`: Jaro-Winkler similarity of the normalised names (typos in short names);
- `name_wratio`: rapidfuzz WRatio (a blend of partial and token ratios) of the normalised names;
- `name_core_sort`: token_sort_ratio of the names without parenthesised parts (owners, places);
- `name_compact`: ratio of the names with spaces removed ("brandtexplant" vs "brandtex plant");
- `name_set_no_address`: name_set when either address is missing (names then carry all the evidence);
- `single_token_name`: the shorter name is a single token (a subset match on it is weak evidence);
- `address_set`: token_set_ratio of normalised addresses (0 when either is missing) and
  `address_missing` (1 when either is missing);
- `distance_km` (null when either has no coordinates), `geo_near` (< `near_km`), `geo_far`
  (> `far_km`) and `geo_missing`;
- `os_id_match` / `os_id_conflict`: both carry an OS ID and they are equal / different;
- `unit_conflict`: both names carry unit/plant/building numbers and they differ;
- `number_conflict`: both names carry other numbers ("Plant 2", "Mill 7") and they differ;
- `number_one_sided`: exactly one name carries a unit or other number (a possible sibling site).
String comparisons run in batches with `rapidfuzz.process.cpdist` on every core, once per distinct pair of
names (or addresses): see `text_codes.py`; `scoring.py` runs two chunks of pairs at once on threads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from entity_resolution.normalise import despaced
from entity_resolution.settings import ResolutionSettings
from entity_resolution.text_codes import (
    ADDRESS_CODE,
    NAME_CODE,
    distinct_pairs,
    present_codes,
    representatives,
    with_text_codes,
)
from entity_resolution.tokens import monge_elkan, monge_elkan_coded

EARTH_RADIUS_KM = 6371.0
PER_PAIR = ["lat", "lng", "os_id", "units", "numbers"]
"""Columns gathered per pair; names and addresses are compared per distinct pair (`text_codes`)."""


def pairwise(left: Sequence[str] | np.ndarray, right: Sequence[str] | np.ndarray, scorer) -> np.ndarray:
    """Scores (0-1) of left[i] vs right[i] for every i, on every core (lists or object arrays)."""
    if len(left) == 0:
        return np.zeros(0, dtype=np.float64)
    return process.cpdist(left, right, scorer=scorer, workers=-1, dtype=np.float64) / 100.0


def haversine_km(lat1, lng1, lat2, lng2) -> np.ndarray:
    """Great-circle distance in km between coordinate arrays (NaN where any input is missing)."""
    lat1, lng1, lat2, lng2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _one_sided(
    numbers_l: pl.Series, numbers_r: pl.Series, units_l: pl.Series, units_r: pl.Series
) -> pl.Series:
    """Exactly one name carries a unit or other number ("X Knit" vs "X Knit Plant 2": maybe a sibling).
    A first unit ("X Knit Unit 1") does not count: lists name a first site with and without it."""
    has_l = (numbers_l.fill_null("") != "") | (_later_units(units_l) != "")
    has_r = (numbers_r.fill_null("") != "") | (_later_units(units_r) != "")
    return (has_l != has_r).cast(pl.Float64)


def _later_units(units: pl.Series) -> pl.Series:
    """The units of each name other than a first one ("unit 1|plant 2" -> "plant 2")."""
    return units.fill_null("").str.replace_all(r"\b[a-z]+ 1(?:\||$)", "")


def _conflict(left: pl.Series, right: pl.Series) -> pl.Series:
    """Both sides non-empty and different."""
    left, right = left.fill_null(""), right.fill_null("")
    return ((left != "") & (right != "") & (left != right)).cast(pl.Float64)


CHUNK_PAIRS = 500_000


def pair_features(
    records: pl.DataFrame,
    pairs: pl.DataFrame,
    settings: ResolutionSettings,
    known: dict[str, np.ndarray] | None = None,
) -> pl.DataFrame:
    """`pairs` (left, right record indexes) with every feature column added, computed in chunks so
    that memory stays bounded however many pairs there are. `known` may carry `name_set` and
    `name_compact` per pair as the cheap dismissal computed them (reused where spacing is intact)."""
    records = with_sorted_words(with_text_codes(records))
    if pairs.height <= CHUNK_PAIRS:
        return _chunk_features(records, pairs, settings, known)
    return pl.concat(
        [
            _chunk_features(
                records,
                pairs.slice(start, CHUNK_PAIRS),
                settings,
                None if known is None else {k: v[start : start + CHUNK_PAIRS] for k, v in known.items()},
            )
            for start in range(0, pairs.height, CHUNK_PAIRS)
        ]
    )


def _chunk_features(
    records: pl.DataFrame, pairs: pl.DataFrame, settings: ResolutionSettings, known: dict | None
) -> pl.DataFrame:
    records = with_text_codes(records)
    rows_l, rows_r = pairs["left"].to_numpy(), pairs["right"].to_numpy()
    left, right = records.select(PER_PAIR)[rows_l], records.select(PER_PAIR)[rows_r]
    address, address_missing = _distinct_address_features(records, rows_l, rows_r)
    distance = haversine_km(
        left["lat"].fill_null(np.nan).to_numpy(),
        left["lng"].fill_null(np.nan).to_numpy(),
        right["lat"].fill_null(np.nan).to_numpy(),
        right["lng"].fill_null(np.nan).to_numpy(),
    )
    both_ids = left["os_id"].is_not_null() & right["os_id"].is_not_null()
    same_id = (left["os_id"] == right["os_id"]).fill_null(False)
    names = _distinct_name_features(records, rows_l, rows_r, known)
    names = {
        **{key: value for key, value in names.items() if key != "single_token_name"},
        "name_set_no_address": pl.Series(names["name_set"].to_numpy() * address_missing.to_numpy()),
        "single_token_name": names["single_token_name"],
    }
    return pairs.with_columns(
        **names,
        **address,
        distance_km=pl.Series(distance).fill_nan(None),
        geo_near=pl.Series((distance < settings.near_km).astype(np.float64)),
        geo_far=pl.Series((distance > settings.far_km).astype(np.float64)),
        geo_missing=pl.Series(np.isnan(distance).astype(np.float64)),
        os_id_match=(both_ids & same_id).cast(pl.Float64),
        os_id_conflict=(both_ids & ~same_id).cast(pl.Float64),
        unit_conflict=_conflict(left["units"], right["units"]),
        number_conflict=_conflict(left["numbers"], right["numbers"]),
        number_one_sided=_one_sided(left["numbers"], right["numbers"], left["units"], right["units"]),
    )


def _distinct_name_features(
    records: pl.DataFrame, rows_l: np.ndarray, rows_r: np.ndarray, known: dict | None = None
) -> dict:
    """`_name_features` of each pair of records, computed once per distinct pair of names."""
    codes = records[NAME_CODE].to_numpy()
    first, codes_l, codes_r = representatives(codes), codes[rows_l], codes[rows_r]
    unique_l, unique_r, inverse = distinct_pairs(codes_l, codes_r)
    if known is not None:  # one pair per distinct pair of names carries its values
        one = representatives(inverse)
        known = {name: values[one] for name, values in known.items()}
    texts = records.select("name_norm", "core_norm")
    used, slot_l, slot_r = present_codes(unique_l, unique_r)  # the names of this chunk's pairs
    distinct = with_sorted_words(records)[first[used]]  # once per distinct name
    broken = broken_spacing(distinct["name_norm"])
    despace = broken[slot_l] | broken[slot_r]
    ordered = {column: _strings(distinct[target]) for column, target in SORTED_WORDS.items()}
    plain = {column: _strings(distinct[column]) for column in texts.columns}
    features = _name_features(
        texts[first[unique_l]],
        texts[first[unique_r]],
        known,
        despace,
        {column: (words[slot_l], words[slot_r]) for column, words in ordered.items()},
        {column: (words[slot_l], words[slot_r]) for column, words in plain.items()},
        _coded_names(plain["name_norm"], slot_l, slot_r, despace),
    )
    return {key: value.gather(inverse) for key, value in features.items()}


def _distinct_address_features(
    records: pl.DataFrame, rows_l: np.ndarray, rows_r: np.ndarray
) -> tuple[dict, pl.Series]:
    """`_address_features` of each pair of records (computed once per distinct pair of addresses)
    and whether either address is missing."""
    codes = records[ADDRESS_CODE].to_numpy()
    first = representatives(codes)
    unique_l, unique_r, inverse = distinct_pairs(codes[rows_l], codes[rows_r])
    used, slot_l, slot_r = present_codes(unique_l, unique_r)  # the addresses of this chunk's pairs
    distinct = records["address_norm"].gather(first[used])  # once per distinct address
    texts, empty = _strings(distinct), (distinct.fill_null("") == "").to_numpy()
    missing = pl.Series(empty[slot_l] | empty[slot_r])
    numbers = house_number_sets(distinct)
    features = _address_features(texts[slot_l], texts[slot_r], missing, (numbers, slot_l, slot_r))
    return {key: value.gather(inverse) for key, value in features.items()}, missing.gather(inverse)


def broken_spacing(names: pl.Series) -> np.ndarray:
    """Names whose words were split apart, as PDF extraction does ("m e r c u r y appar e l"): at
    least three fragments of one or two letters making up at least 40% of the words."""
    short = names.fill_null("").str.count_matches(r"\b[a-z0-9]{1,2}\b").to_numpy()
    words = names.fill_null("").str.count_matches(r"\S+").to_numpy()
    return (short >= 3) & (short >= 0.4 * np.maximum(words, 1))


def _spaceless(names: list[str]) -> list[str]:
    return [name.replace(" ", "") for name in names]


def _coded_names(
    names: np.ndarray, left: np.ndarray, right: np.ndarray, despace: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The texts a pair's names are compared as, once each, and each pair's two rows among them:
    the distinct names, then their despaced forms (used by pairs where spacing is broken)."""
    spaceless = np.full(names.size, "", dtype=object)
    for code in np.unique(np.concatenate([left[despace], right[despace]])):
        spaceless[code] = despaced(names[code])
    shift = np.where(despace, names.size, 0)
    return np.concatenate([names, spaceless]), left + shift, right + shift


def _strings(texts: pl.Series) -> np.ndarray:
    """The texts ("" for null) as a numpy object array: gathering from it is cheaper than gathering
    in Polars and converting to a list, and rapidfuzz reads it like a list."""
    return np.asarray(texts.fill_null("").to_list(), dtype=object)


SORTED_WORDS = {"name_norm": "name_sorted", "core_norm": "core_sorted"}
"""Each name column and the column of its words in sorted order (`with_sorted_words`)."""


def with_sorted_words(records: pl.DataFrame) -> pl.DataFrame:
    """`records` with `name_sorted` and `core_sorted` (`token_sorted` of the names), sorted once per
    distinct name for every chunk of pairs to share; unchanged if present."""
    if all(column in records.columns for column in SORTED_WORDS.values()):
        return records
    records = with_text_codes(records)
    codes = records[NAME_CODE].to_numpy()
    distinct = records.select(list(SORTED_WORDS))[representatives(codes)]
    return records.with_columns(
        pl.Series(target, np.asarray(token_sorted(distinct[column]), dtype=object)[codes], dtype=pl.String)
        for column, target in SORTED_WORDS.items()
    )


def token_sorted(names: pl.Series) -> list[str]:
    """Each name's words in sorted order, joined by single spaces: what rapidfuzz's token_sort_ratio
    compares with `fuzz.ratio`, so sorting once per distinct name gives the same scores."""
    return [" ".join(sorted(name.split())) for name in names.fill_null("").to_list()]


def _name_features(
    left: pl.DataFrame,
    right: pl.DataFrame,
    known: dict | None = None,
    despace: np.ndarray | None = None,
    ordered: dict[str, tuple] | None = None,
    plain: dict[str, tuple] | None = None,
    coded: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> dict:
    """Name similarities; a pair where either name has broken spacing is compared with spaces removed.
    (`name_set_no_address` is added by the caller, from the addresses.) `known` name_set and
    name_compact, computed on the names as they are, are used where no spacing is broken. `despace`
    (whether either name has broken spacing) and `ordered` (per column, the `token_sorted` names of
    the left and right sides) and `plain` (per column, the names of both sides, "" for null, as
    object arrays) and `coded` (`_coded_names`: the texts compared, once each, and each pair's rows
    among them, for Monge-Elkan) may be given, computed once per distinct name."""
    if despace is None:
        despace = broken_spacing(left["name_norm"]) | broken_spacing(right["name_norm"])
    if ordered is None:
        ordered = {
            column: (token_sorted(left[column]), token_sorted(right[column]))
            for column in ("name_norm", "core_norm")
        }

    def names(frame: pl.DataFrame, column: str) -> list[str]:
        if plain is None:
            values = frame[column].fill_null("").to_list()
        else:
            values = plain[column][0 if frame is left else 1].copy()
        for index in np.flatnonzero(despace):
            values[index] = despaced(values[index])
        return values

    names_l, names_r = names(left, "name_norm"), names(right, "name_norm")
    if known is None:
        name_set = pairwise(names_l, names_r, fuzz.token_set_ratio)
        name_compact = pairwise(_spaceless(names_l), _spaceless(names_r), fuzz.ratio)
    else:
        name_set, name_compact = known["name_set"].copy(), known["name_compact"].copy()
        redo = np.flatnonzero(
            despace | left["name_norm"].is_null().to_numpy() | right["name_norm"].is_null().to_numpy()
        )
        if redo.size:
            redo_l, redo_r = [names_l[i] for i in redo], [names_r[i] for i in redo]
            name_set[redo] = pairwise(redo_l, redo_r, fuzz.token_set_ratio)
            name_compact[redo] = pairwise(_spaceless(redo_l), _spaceless(redo_r), fuzz.ratio)
    shortest = np.minimum(
        left["name_norm"].str.count_matches(" ").to_numpy(),
        right["name_norm"].str.count_matches(" ").to_numpy(),
    )
    soft = monge_elkan(names_l, names_r) if coded is None else monge_elkan_coded(*coded)
    forward, backward, worst_forward, worst_backward = soft
    sorted_l, sorted_r = _sorted_words(ordered["name_norm"], names_l, names_r, despace)
    name_sort = pairwise(sorted_l, sorted_r, fuzz.ratio)  # = token_sort_ratio of the names
    return {
        "name_soft_min": pl.Series(np.minimum(forward, backward)),
        "name_soft_max": pl.Series(np.maximum(forward, backward)),
        "name_worst_max": pl.Series(np.maximum(worst_forward, worst_backward)),
        "name_worst_min": pl.Series(np.minimum(worst_forward, worst_backward)),
        "name_sort": pl.Series(name_sort),
        "name_set": pl.Series(name_set),
        "name_wratio": pl.Series(pairwise(names_l, names_r, fuzz.WRatio)),
        "name_core_sort": pl.Series(_core_sort(left, right, names, name_sort, ordered["core_norm"], despace)),
        "name_compact": pl.Series(name_compact),
        "name_jaro": pl.Series(pairwise(names_l, names_r, JaroWinkler.normalized_similarity) * 100.0),
        "single_token_name": pl.Series((shortest == 0).astype(np.float64)),
    }


def _sorted_words(ordered: tuple, names_l: list[str], names_r: list[str], despace: np.ndarray) -> tuple:
    """The `token_sorted` names of both sides, except where spacing is broken: there the despaced
    names, which have no spaces left (a single word is its own sorted form)."""
    sorted_l, sorted_r = list(ordered[0]), list(ordered[1])
    for index in np.flatnonzero(despace):
        sorted_l[index], sorted_r[index] = names_l[index], names_r[index]
    return sorted_l, sorted_r


def _core_sort(
    left: pl.DataFrame,
    right: pl.DataFrame,
    names,
    name_sort: np.ndarray,
    ordered: tuple,
    despace: np.ndarray,
) -> np.ndarray:
    """token_sort_ratio of the core names: the names' own `name_sort` where both core names equal
    their full names (the same two strings), compared only where either differs. Where both names
    lost words to their cores and no word lost is the same ("ESB (Aghada)" / "ESB (Poolbeg)"), the
    parts left out name two different sites or places, not an owner added: the full names' `name_sort`."""
    kept_l = left["core_norm"] == left["name_norm"]  # null where either is missing: neither kept nor lost
    kept_r = right["core_norm"] == right["name_norm"]
    same = (kept_l.fill_null(False) & kept_r.fill_null(False)).to_numpy()
    result = name_sort.copy()
    differ = np.flatnonzero(~same)
    if differ.size:
        core_l, core_r = names(left, "core_norm"), names(right, "core_norm")
        sorted_l, sorted_r = _sorted_words(ordered, core_l, core_r, despace)
        result[differ] = pairwise([sorted_l[i] for i in differ], [sorted_r[i] for i in differ], fuzz.ratio)
        both = (~kept_l & ~kept_r).fill_null(False).to_numpy()
        if both.any():
            rows = np.flatnonzero(both)
            full_l, full_r = names(left, "name_norm"), names(right, "name_norm")

            def texts(full: list[str], core: list[str]) -> pl.DataFrame:  # as compared: despaced where broken
                return pl.DataFrame(
                    {"name_norm": [full[i] for i in rows], "core_norm": [core[i] for i in rows]},
                    schema={"name_norm": pl.String, "core_norm": pl.String},
                )

            sites = rows[_different_parts_left_out(texts(full_l, core_l), texts(full_r, core_r))]
            result[sites] = name_sort[sites]
    return result


def _different_parts_left_out(left: pl.DataFrame, right: pl.DataFrame) -> np.ndarray:
    """Per pair, whether both names lost words to their core names and no word lost is the same:
    set differences of the words, in Polars (pairs of this kind run to millions at 1M records)."""

    def lost(frame: pl.DataFrame) -> pl.Series:
        words = frame.select(
            full=pl.col("name_norm").fill_null("").str.split(" "),
            core=pl.col("core_norm").fill_null("").str.split(" "),
        )
        return words.select(
            pl.col("full").list.set_difference("core").list.eval(pl.element().filter(pl.element() != ""))
        )["full"]

    pairs = pl.DataFrame({"l": lost(left), "r": lost(right)})
    return (
        pairs.select(
            (pl.col("l").list.len() > 0)
            & (pl.col("r").list.len() > 0)
            & (pl.col("l").list.set_intersection("r").list.len() == 0)
        )
        .to_series()
        .to_numpy()
    )


HOUSE_NUMBER = r"\b[0-9]{1,3}\b"
"""House, lot and building numbers of 1-3 digits (postcodes are left out: lists drop and add them)."""
_NUMBER_SLOT_FROM = {1: 0, 2: 10, 3: 110}
"""Each 1-3 digit string has its own bit: "0".."9" bits 0-9, "00".."99" 10-109, "000".."999" 110-1109."""
NUMBER_WORDS = -(-1110 // 64)


def house_number_sets(addresses: pl.Series) -> np.ndarray:
    """The house numbers (`HOUSE_NUMBER`) of each address as a bit set, one row of `NUMBER_WORDS`
    uint64 words per address: two addresses share a number exactly when their rows share a bit."""
    found = (
        pl.DataFrame({"number": addresses.fill_null("").str.extract_all(HOUSE_NUMBER)})
        .with_row_index("row")
        .explode("number")
        .drop_nulls("number")
    )
    bits = np.zeros((addresses.len(), NUMBER_WORDS), dtype=np.uint64)
    if found.height:
        digits = found["number"]
        slot = (
            digits.str.len_bytes().replace_strict(_NUMBER_SLOT_FROM, return_dtype=pl.Int64)
            + digits.cast(pl.Int64)
        ).to_numpy()
        rows = found["row"].to_numpy().astype(np.int64)
        np.bitwise_or.at(bits, (rows, slot // 64), np.left_shift(np.uint64(1), (slot % 64).astype(np.uint64)))
    return bits


NUMBER_PAIRS_AT_ONCE = 200_000


def _numbers_disjoint(bits: np.ndarray, rows_l: np.ndarray, rows_r: np.ndarray) -> np.ndarray:
    """Both addresses carry house numbers and none is the same (rows of `house_number_sets`)."""
    result = np.zeros(rows_l.size, dtype=bool)
    for start in range(0, rows_l.size, NUMBER_PAIRS_AT_ONCE):
        left = bits[rows_l[start : start + NUMBER_PAIRS_AT_ONCE]]
        right = bits[rows_r[start : start + NUMBER_PAIRS_AT_ONCE]]
        result[start : start + NUMBER_PAIRS_AT_ONCE] = (
            left.any(axis=1) & right.any(axis=1) & ~(left & right).any(axis=1)
        )
    return result


def _address_features(
    left: Sequence[str] | np.ndarray,
    right: Sequence[str] | np.ndarray,
    address_missing: pl.Series,
    numbers: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> dict:
    """Address similarity, whether either is missing, and whether both carry numbers (house, lot and
    building numbers of 1-3 digits; postcodes are left out: lists drop and add them) with none in
    common: a hint of a neighbouring site rather than the same one. `left` and `right` are the
    addresses ("" for missing ones); `numbers` may give the house number sets of the distinct
    addresses (`house_number_sets`) and each pair's rows among them."""
    missing = address_missing.to_numpy()
    similarity = pairwise(left, right, fuzz.token_set_ratio)
    if numbers is None:
        both = pl.Series([*left, *right], dtype=pl.String)
        numbers = (house_number_sets(both), np.arange(len(left)), np.arange(len(right)) + len(left))
    bits, rows_l, rows_r = numbers
    disjoint = pl.Series(_numbers_disjoint(bits, rows_l, rows_r))
    return {
        "address_set": pl.Series(np.where(missing, 0.0, similarity)),
        "address_missing": address_missing.cast(pl.Float64),
        "address_number_conflict": disjoint.cast(pl.Float64),
    }
