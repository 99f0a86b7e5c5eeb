"""The known-names table of name normalisation (step 6, `entity_resolution.normalise`), saved under
`$FLRISK_HOME/cache/` so a run does not build it again.

Building it normalises every name in `entity_resolution/reference/known_names.csv`, romanising the 76
written in Chinese characters: that loads pypinyin's phrase dictionary and took ~0.6 s of a 10-row
`flrisk load` whose own names were all Latin. The table is a pure function of the entity-resolution
code, its reference files and the versions of the text libraries and of Python (Unicode tables) it
uses; the saved file is named by a digest of all of them (`table_fingerprint`), so after any change
the next run builds the table again and saves it under the new name. A file that cannot be read or
does not hold a table is ignored (and replaced).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import unicodedata
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import entity_resolution
from entity_resolution.normalise import known_name_table, use_known_name_table

CODE = Path(entity_resolution.__file__).parent
TEXT_LIBRARIES = ("anyascii", "pypinyin")
PREFIX = "known_names-"


def table_fingerprint() -> str:
    """A digest of everything the known-names table is computed from: every source and reference
    file of `entity_resolution`, the anyascii and pypinyin versions, Python's version and Unicode
    version."""
    digest = hashlib.sha256()
    files = sorted([*CODE.glob("*.py"), *(CODE / "reference").iterdir()])
    for path in files:
        if path.is_file():
            digest.update(f"{path.relative_to(CODE)}\0".encode())
            digest.update(path.read_bytes())
    for library in TEXT_LIBRARIES:
        digest.update(f"{library}={_version(library)}\0".encode())
    digest.update(f"python={sys.version_info[:3]} unicode={unicodedata.unidata_version}".encode())
    return digest.hexdigest()[:20]


def use_saved_known_names(cache_dir: Path) -> bool:
    """Give normalisation the table saved in `cache_dir` for this code (True), or build it and save
    it there for the next run (False)."""
    fingerprint = table_fingerprint()
    path = cache_dir / f"{PREFIX}{fingerprint}.json"
    saved = _read(path, fingerprint)
    if saved is not None:
        use_known_name_table(saved)
        return True
    _save(path, fingerprint, known_name_table())
    return False


def _read(path: Path, fingerprint: str) -> dict[str, str] | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or content.get("fingerprint") != fingerprint:
        return None
    table = content.get("table")
    if not isinstance(table, dict) or not table:
        return None
    if not all(isinstance(key, str) and isinstance(value, str) for key, value in table.items()):
        return None
    return table


def _save(path: Path, fingerprint: str, table: dict[str, str]) -> None:
    """Write the table through a temporary file and a rename; drop tables saved for other code. A
    home that cannot be written only means the next run builds the table again."""
    if not table:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        content = {"fingerprint": fingerprint, "table": table}
        temporary.write_text(json.dumps(content, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
        for other in path.parent.glob(f"{PREFIX}*.json"):
            if other != path:
                other.unlink(missing_ok=True)
    except OSError:
        return


def _version(library: str) -> str:
    try:
        return version(library)
    except PackageNotFoundError:
        return "absent"
