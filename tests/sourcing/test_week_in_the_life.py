"""A sourcing manager's week through the real commands (subprocesses) on a home of its own: a new
trade-restriction list arrives (`flrisk load` ends with what changed), `flrisk changes` tells it by
brand, the `change_alerts` sensor tells the brand by webhook and e-mail (a real HTTP server and a real
SMTP server on 127.0.0.1), once; a reviewer decides a grey-band match (`flrisk review-match`), and the
next `flrisk refresh` (with progress lines) merges the two facilities and never overwrites the decision.
"""

from __future__ import annotations

import json
import re
import threading
from email import message_from_bytes, policy
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer

import dagster as dg
import duckdb
import pytest
import yaml

from tests.demo_run import TEST_KEY, demo_environment, run_demo_job
from tests.fakes.webhook import webhook_server
from tests.pipelines.operations_support import run_flrisk
from tests.sourcing.test_brand_reports import rendered_dom

EXTRA_ROWS = """\
uflpa_entity_list,"Chengyi Optics Co., Ltd.",,Taiwan,2024-01-10,https://example.org/test-only
uflpa_entity_list,"Universal Athletics Inc.",,Dominican Republic,2024-01-10,https://example.org/test-only
"""
BRAND = "Casa Verde Home"  # lists both facilities the extra entries name
PROGRESS_LINE = re.compile(r"^\[\s*\d+\.\ds\] ", re.MULTILINE)


def flrisk(home: Path, *args: str, **env: str):
    return run_flrisk(home, *args, FLRISK_PSEUDONYMISATION_KEY=TEST_KEY, **env)


def read(home: Path, sql: str, parameters=None) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


class Smtp(StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; every message is kept."""

    messages: list[tuple[list[str], bytes]] = []

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        self.reply("220 test SMTP ready")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                Smtp.messages.append((recipients, data))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture(scope="module")
def servers():
    """A webhook (HTTP) and an SMTP server on 127.0.0.1, on free ports."""
    smtp = ThreadingTCPServer(("127.0.0.1", 0), Smtp)
    smtp.daemon_threads = True
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    with webhook_server() as hook:
        yield {"webhook": hook.url, "received": hook.received, "smtp_port": smtp.server_address[1]}
    smtp.shutdown()
    smtp.server_close()


@pytest.fixture(scope="module")
def week_home(tmp_path_factory):
    """The demo run once (every facility recorded as new), then a new entity list loaded by command."""
    with demo_environment(tmp_path_factory.mktemp("week_home")) as home:
        from warehouse.received import received_manifest, register_demo_bundle

        register_demo_bundle()
        assert run_demo_job().success
        entries = yaml.safe_load(received_manifest().read_text(encoding="utf-8"))
        listed = next(e for e in entries["files"] if e["source_type"] == "reference_entity_list")
        header = Path(listed["path"]).read_text(encoding="utf-8").splitlines()[0]
        extra = home / "entity_list_update.csv"  # a second file: its entries add to the demo's list
        extra.write_text(header + "\n" + EXTRA_ROWS, encoding="utf-8")
        loaded = flrisk(home, "load", "reference-entity-list", str(extra))
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        yield home, loaded


def test_load_ends_with_what_changed_and_stays_quiet_when_piped(week_home):
    _, loaded = week_home
    text = loaded.stdout
    summary = text[text.index("What changed:") :]
    assert "moved up a band" in summary and "with new list hits" in summary, summary
    assert re.search(r"Universal Athletics \(DO\) FLR-\w+: low \d+ -> critical \d+; new list hit", summary), (
        summary
    )
    assert "uflpa_entity_list: Chengyi Optics Co., Ltd. [candidate]" in summary, summary
    assert not PROGRESS_LINE.search(loaded.stderr)  # stderr is a pipe here: no progress lines


def test_changes_by_brand_and_date(week_home):
    home, loaded = week_home
    run_id = re.search(r"\(run ([0-9a-f-]{36})\)", loaded.stdout).group(1)
    rows = json.loads(flrisk(home, "changes", "--brand", "casa verde", "--json").stdout)
    this_run = {row["facility_name"]: row for row in rows if row["run_id"] == run_id}
    assert {"Universal Athletics", "Chengyi Optical Co Ltd"} <= set(this_run)
    athletics = this_run["Universal Athletics"]
    assert {"band_up", "list_hits"} <= set(athletics["change_kinds"])
    assert (athletics["old_risk_band"], athletics["new_risk_band"]) == ("low", "critical")
    assert all(BRAND in row["contributors"] for row in rows)
    text = flrisk(home, "changes", "--brand", BRAND).stdout
    assert f"Run {run_id}" in text and "new facilities" in text  # the first run recorded every one as new
    assert "none recorded" in flrisk(home, "changes", "--since", "2999-01-01").stdout
    refused = flrisk(home, "changes", "--since", "last week")
    assert refused.returncode == 2 and "YYYY-MM-DD" in refused.stderr


def test_brand_index_shows_each_brands_changes_since_the_previous_run(week_home, browser, tmp_path):
    """After `flrisk load`, the brand index (rebuilt by that run, read by a real Chromium) counts per
    brand the facilities that are new, moved up or down a band, or gained a list hit in that run, as
    `flrisk changes --json` lists them, and names the run."""
    home, loaded = week_home
    run_id = re.search(r"\(run ([0-9a-f-]{36})\)", loaded.stdout).group(1)
    dom = rendered_dom(browser, home / "reports" / "brands" / "index.html", tmp_path)
    assert f"run <code>{run_id}</code>" in dom
    every_brand = json.loads(flrisk(home, "changes", "--json").stdout)
    for brand in ("Casa Verde Home", "Northwind Apparel", "Bluefjord Outdoor"):
        rows = [r for r in every_brand if r["run_id"] == run_id and brand in r["contributors"]]
        expected = {
            "new": sum("new" in r["change_kinds"] for r in rows),
            "added_to_brand": sum(brand in (r["brands_added"] or []) for r in rows),
            "band_up": sum("band_up" in r["change_kinds"] for r in rows),
            "band_down": sum("band_down" in r["change_kinds"] for r in rows),
            "new_list_hits": sum(bool(set(r["new_list_hits"]) - set(r["old_list_hits"] or [])) for r in rows),
        }
        row = re.search(rf'<tr data-brand="{brand}">(.*?)</tr>', dom, re.S).group(1)
        shown = {kind: int(count) for kind, count in re.findall(r'data-change="(\w+)">(\d+)<', row)}
        assert shown == expected, brand
    casa_verde = re.search(rf'<tr data-brand="{BRAND}">(.*?)</tr>', dom, re.S).group(1)
    shown = dict(re.findall(r'data-change="(\w+)">(\d+)<', casa_verde))
    # the load moved Universal Athletics up to critical and gave two Casa Verde facilities a list hit;
    # it resolved no new facility (the demo's first run recorded every facility as new)
    assert shown["band_up"] != "0" and int(shown["new_list_hits"]) >= 2 and shown["new"] == "0", shown


def _sensor_context(home: Path, run_id: str):
    import os

    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    instance = dg.DagsterInstance.get()
    run = instance.get_run_by_id(run_id)
    success = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)[0].dagster_event
    return instance, dg.build_run_status_sensor_context(
        sensor_name="change_alerts", dagster_instance=instance, dagster_run=run, dagster_event=success
    )


def test_alerts_reach_the_webhook_and_the_mailbox_once(week_home, servers, monkeypatch):
    from pipelines.definitions import defs

    home, loaded = week_home
    run_id = re.search(r"\(run ([0-9a-f-]{36})\)", loaded.stdout).group(1)
    rules = {
        "smtp": {"host": "127.0.0.1", "port": servers["smtp_port"], "from": "flrisk@example.org"},
        "brands": {BRAND: {"webhook": servers["webhook"], "email": ["sourcing@example.org"]}},
    }
    (home / "alert_rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    monkeypatch.setenv("FLRISK_HOME", str(home))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    sensor = defs.get_sensor_def("change_alerts")
    instance, context = _sensor_context(home, run_id)
    with instance:
        sensor(context)
        assert len(servers["received"]) == 1 and len(Smtp.messages) == 1
        posted = servers["received"][0]
        assert posted["brand"] == BRAND
        by_rule = {(a["rule"], a["facility_name"]) for a in posted["alerts"]}
        assert ("band reaches high or critical", "Universal Athletics") in by_rule
        assert ("new confirmed or candidate list hit", "Chengyi Optical Co Ltd") in by_rule
        athletics = next(a for a in posted["alerts"] if a["facility_name"] == "Universal Athletics")
        assert athletics["evidence_diff"]["band"] == {"old": "low", "new": "critical"}
        assert any(
            "Universal Athletics Inc. [confirmed]" in h for h in athletics["evidence_diff"]["list_hits_added"]
        )
        recipients, raw = Smtp.messages[0]
        mail = message_from_bytes(raw, policy=policy.default)
        assert recipients == ["sourcing@example.org"] and BRAND in mail["Subject"]
        body = next(part for part in mail.walk() if part.get_content_type() == "text/plain").get_content()
        assert "Universal Athletics" in body and "list hit added" in body
        sensor(context)  # the same run evaluated again: nothing is sent twice
        assert len(servers["received"]) == 1 and len(Smtp.messages) == 1
    sent = (home / "alerts" / "change_alerts_sent.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(sent) == 2 * len(posted["alerts"])


def test_review_match_records_a_decision_that_the_next_refresh_applies(week_home):
    home, _ = week_home
    listed_json = flrisk(home, "review-match", "--list", "--json")
    assert listed_json.returncode == 0, listed_json.stderr
    pairs = json.loads(listed_json.stdout)
    assert pairs and pairs[0]["explanation"].startswith("name similarity")
    # the demo's Classic Fashion pair (same estate and PO box): "same" merges the two records; records
    # of either facility known to differ from the far side move out (a split), the pair stays together
    pair = next(
        p for p in pairs if "Classic Fashion" in p["left_name"] and "Classic Fashion" in p["right_name"]
    )
    listed = flrisk(home, "review-match", "--list").stdout
    assert (
        pair["pair_id"] in listed and pair["left_name"][:40] in listed and pair["right_name"][:40] in listed
    )
    assert (
        flrisk(home, "review-match", pair["pair_id"], "--same", "--different", "--by", "ana").returncode == 2
    )
    assert flrisk(home, "review-match", pair["pair_id"], "--same").returncode == 2  # who decides?
    assert flrisk(home, "review-match", "--list", pair["pair_id"], "--same", "--by", "ana").returncode == 2
    assert flrisk(home, "review-match", "no-such-pair", "--same", "--by", "ana").returncode == 1
    recorded = flrisk(
        home, "review-match", pair["pair_id"], "--same", "--by", "Ana", "--note", "one compound"
    )
    assert recorded.returncode == 0, recorded.stderr
    assert "applies on the next run" in recorded.stdout
    assert pair["pair_id"] not in flrisk(home, "review-match", "--list").stdout
    assert "decided: same facility by Ana" in flrisk(home, "review-match", "--list", "--all").stdout

    refreshed = flrisk(home, "refresh", FLRISK_PROGRESS="1")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "resolved_tables: done (resolved.facilities" in refreshed.stderr  # progress, forced on
    assert "merged" in refreshed.stdout.split("What changed:")[1]
    left, right = pair["record_id_left"], pair["record_id_right"]
    facilities = read(
        home,
        "SELECT DISTINCT facility_id FROM resolved.record_links WHERE record_id IN (?, ?)",
        [left, right],
    )
    assert len(facilities) == 1
    decisions = read(home, "SELECT decision, decided_by, note FROM resolved.match_decisions")
    assert decisions == [("confirm", "Ana", "one compound")]

    # the merge retired one of the two facility ids: it still finds the facility, saying so
    ((survivor,),) = facilities
    (retired,) = {pair["left_facility_id"], pair["right_facility_id"]} - {survivor}
    assert f"{retired}: merged into {survivor}" in refreshed.stdout
    profile = flrisk(home, "facility", retired)
    assert profile.returncode == 0 and survivor in profile.stdout.splitlines()[0], profile.stderr
    assert f"{retired} is a former id (merged): it now belongs to {survivor}" in profile.stderr
    found = json.loads(flrisk(home, "search", retired, "--json").stdout)
    assert found[0]["facility_id"] == survivor and found[0]["matched_field"] == "former id"

    # the pair left the queue with the run; the reviewer can still change their mind
    changed = flrisk(home, "review-match", pair["pair_id"], "--different", "--by", "Bo")
    assert changed.returncode == 0, changed.stderr
    assert "It replaces the decision 'same facility' by Ana" in changed.stdout
    latest = read(home, "SELECT decision, decided_by FROM resolved.match_decisions ORDER BY decided_at")
    assert latest[-1] == ("reject", "Bo")


def test_quiet_silences_progress(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text(
        "record_id,name,address,country,lat,lng\n"
        "1,Song Lam Garment,Vinh,VN,,\n2,Song Lam Garment JSC,Vinh,VN,,\n",
        encoding="utf-8",
    )
    shown = flrisk(tmp_path, "resolve", str(records), "--out", str(tmp_path / "a.csv"), FLRISK_PROGRESS="1")
    assert shown.returncode == 0, shown.stderr
    assert re.search(r"resolve: done in [\d.]+ s \(\d facilit", shown.stderr)
    quiet = flrisk(
        tmp_path, "resolve", str(records), "--out", str(tmp_path / "b.csv"), "--quiet", FLRISK_PROGRESS="1"
    )
    assert quiet.returncode == 0 and not PROGRESS_LINE.search(quiet.stderr)
