"""The incremental update weighs a new record against an existing facility as a full run's clustering
does (issue 14's leftovers): a low pair resting on names alone weighs half, auto links outvote
differences, and probes drawn by `chain_probes` re-check the decision. Each case is one a full
re-resolve settles one way and the update used to settle the other.

The records are the project's v1 benchmark mentions of one power plant ("HIGH POINT, POLO", its
spellings and a name-only mention), as the generator writes them."""

from __future__ import annotations

import polars as pl

from entity_resolution.incremental import MatchIndex, build_index
from entity_resolution.resolve import NO_DECISIONS, resolve
from entity_resolution.run_plan import Plan, PreviousResolution
from entity_resolution.settings import ResolutionSettings
from entity_resolution.standalone import INPUT_SCHEMA, to_records
from entity_resolution.update import resolve_update

SETTINGS = ResolutionSettings()
AGNY = "HIGH POINT, POLO (NORTH CAROLINA MUN POWER AGNY #1)"
PLANT = [  # one facility: four located mentions, three by name alone
    ("e1", "HIGH P O I N T , POLO", "", "US", 35.968835, -79.961945),
    ("e2", "HIGH POINT, POLO", "", "US", 35.96958, -79.960061),
    ("e3", "HIGH POINT, POLO", "", "US", 35.971448, -79.95993),
    ("e4", "HIGH POINT, POLO", "", "US", None, None),
    ("e5", "High Poiht, Polo", "", "US", None, None),
    ("e6", AGNY, "", "US", 35.969999, -79.958705),
    ("e7", AGNY, "", "US", None, None),
]


def frame(rows: list[tuple]) -> pl.DataFrame:
    return to_records(pl.DataFrame(rows, schema=INPUT_SCHEMA, orient="row"))


def placed(
    existing: list[tuple],
    new: list[tuple],
    reached: set[str] | None = None,
    settings: ResolutionSettings = SETTINGS,
) -> tuple[dict, dict]:
    """(record -> facility after the update, record -> facility after a full re-resolve) of `new`
    arriving after `existing`. `reached` keeps the index keys of those existing records only: in a
    big index the new record's other keys are too common to block on, so it is compared with those
    records alone (the index slice still holds every member of the facilities it reaches)."""
    before, now = frame(existing), frame(existing + new)
    result = resolve(before, NO_DECISIONS, settings)
    previous = PreviousResolution(result.facilities, result.record_links, result.review_queue, result.aliases)
    index = build_index(
        before.join(result.record_links.select("record_id", "facility_id"), on="record_id"), settings
    )
    if reached is not None:
        index = MatchIndex(index.records, index.keys.filter(pl.col("record_id").is_in(sorted(reached))))
    plan = Plan("incremental", "test", [row[0] for row in new], [])
    update = resolve_update(now, plan, lambda keys: index, previous, settings).resolution
    full = resolve(now, NO_DECISIONS, settings, previous_links=result.record_links)
    return (
        dict(update.record_links.select("record_id", "facility_id").iter_rows()),
        dict(full.record_links.select("record_id", "facility_id").iter_rows()),
    )


def test_a_low_pair_with_a_name_only_mention_weighs_half_and_two_links_outvote_it():
    """A new located mention ("HIGH OOINF, POLO") scores 0.90 with two located spellings and 0.03
    with the name-only AGNY mention: a full run counts that low pair half (it rests on names alone)
    and merges on the two links; the update vetoed the facility on it and made the mention a
    facility of its own. Four probes per record here: blocking now compares the name-only e4 on its
    own (it is one spelling with the located mentions no more), and with two probes this small
    facility's deterministic draws for the mention land on one located spelling only."""
    mention = [("n1", "HIGH OOINF, POLO", "", "US", 35.968844, -79.961957)]
    update, full = placed(PLANT, mention, settings=ResolutionSettings(probes_per_record=4))
    assert full["n1"] == full["e1"] == full["e7"]
    assert update["n1"] == update["e1"] == update["e7"]


def test_one_link_to_a_name_only_mention_is_probed_before_the_record_joins():
    """A namesake plant 150 km away ("HIGH POINT, POLO" at other coordinates) that blocking compares
    only with the name-only mention e4 (0.98): the update joined it on that one link. A full run
    probes inside the cluster it would form, meets the located spellings (0.05 below, far apart)
    and keeps it apart; the update now draws the same probes and agrees."""
    namesake = [("n2", "HIGH POINT, POLO", "", "US", 36.9, -78.9)]
    update, full = placed(PLANT, namesake, reached={"e4"})
    assert full["n2"] != full["e1"]
    assert update["n2"] != update["e4"]
    assert update["e4"] == update["e1"]  # the existing facility stays whole


def test_split_probes_re_check_a_record_kept_out_by_one_messy_mention():
    """The plant has a mention giving another street address (e8, held in the facility by its
    name-only links). A new mention with its own address and the plant's coordinates scores 0.99
    with the two spellings blocking compares it with and 0.01 with e8, a whole difference (both give
    an address): two links do not outvote it. A full run compares it with the whole facility and puts
    it with the located spellings (and, re-clustering, takes e8 out, which the update leaves to the
    nightly full run). The update now re-checks its split with split probes into the facility's
    located mentions and joins it too. Six probes per record here: with two, this small facility's
    deterministic draws land on mentions already compared or known by name alone."""
    messy = [
        ("e8", "HIGH POINT, POLO", "Plant Road 4, High Point, NC", "US", None, None),
        ("e9", "HIGH POINT, POLO", "", "US", 35.9691, -79.9612),
        ("e10", "High Point Polo", "", "US", 35.9702, -79.9608),
    ]
    mention = [("n3", "HIGH POINT, POLO", "Wendover Avenue 900, Greensboro, NC", "US", 35.9689, -79.9619)]
    reached = {"e1", "e2", "e8"}
    update, full = placed(PLANT + messy, mention, reached, ResolutionSettings(split_probes_per_record=6))
    assert full["n3"] == full["e1"]
    assert update["n3"] == update["e1"] == update["e8"]
    update, _ = placed(PLANT + messy, mention, reached, ResolutionSettings(split_probes_per_record=0))
    assert update["n3"] != update["e1"]
