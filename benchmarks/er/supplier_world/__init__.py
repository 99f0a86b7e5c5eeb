"""The supplier world: the entity-resolution benchmark's second generator (v2), built differently from v1.

v1 (`benchmarks/er/generator.py`) splices synthetic names from real seed words and spreads each
facility over 1-12 of 60 lists. The supplier world is built the way real supplier data is shaped:
- heavy-tailed mentions (P(k) ~ k^-2.1 up to 80 lists: most facilities on one or two, big suppliers on
  30-80) across 320 contributor lists with their own habits (`lists.py`);
- firms named as they are registered, per sourcing country (`firms.py`, vocabulary in `data/*.csv`):
  Chinese registered city + brand + trade + company type, with a Chinese-character form; Vietnamese
  with and without diacritics; Turkish, Bengali-English, Indian, Indonesian "PT", Mexican "S.A. de C.V.";
- hard negatives by construction (`relatives.py`, `parks.py`): sibling sites of one group, namesakes
  sharing a brand word and a city, industrial parks where dozens of firms share one address;
- the real Open Supply Hub seed facilities as part of the universe (`universe.py`);
- rendering vectorised in Polars (`render.py`, `where.py`, `text.py`): 1M records in about a minute.

Entry point: `python -m benchmarks.er.supplier_world.generator --scale 10k|100k|1m`, or
`python -m benchmarks.er.run --generator v2`. Output columns are v1's, so every harness tool reads both.
"""
