"""Change alerts: after each run that publishes, tell each brand what its rules pick out of the run's
rows of published.facility_risk_history - by webhook (JSON POST) and by e-mail (SMTP) - once.

Rules and destinations are per brand in `$FLRISK_HOME/alert_rules.yaml` (risk_model.alert_rules);
SMTP settings are under `smtp:` there (host, port, from, starttls, username) with the password only in
`FLRISK_SMTP_PASSWORD`. Every alert delivered on a channel is appended to
`$FLRISK_HOME/alerts/change_alerts_sent.jsonl` (alert id, channel, destination, time); an alert already
there for that channel and destination is never sent again, and one whose delivery failed is retried
on the next evaluation. The history rows are read from the reader copy (the last good run), so the
sensor never waits for a writing run.
"""

from __future__ import annotations

import json
import os
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import dagster as dg
import yaml

from pipelines.alerts import redact
from risk_model.alert_rules import AlertConfigError, BrandAlerts, alerts_for, parse_config
from warehouse.database import Warehouse
from warehouse.home import alerts_dir, flrisk_home

RULES_FILE = "alert_rules.yaml"
SENT_FILE = "change_alerts_sent.jsonl"
SMTP_PASSWORD_ENV = "FLRISK_SMTP_PASSWORD"
HISTORY_SQL = "SELECT * FROM published.facility_risk_history WHERE run_id = ? ORDER BY facility_id"


def rules_path(home: Path | None = None) -> Path:
    """Where the per-brand alert rules live."""
    return (home or flrisk_home()) / RULES_FILE


def load_settings(path: Path | None = None) -> tuple[list[BrandAlerts], dict]:
    """The brands' rules and the SMTP settings; ([], {}) when there is no rules file."""
    path = path or rules_path()
    if not path.is_file():
        return [], {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise AlertConfigError(f"{path}: not valid YAML ({error})") from error
    return parse_config(document, str(path)), (document.get("smtp") or {})


def history_of_run(run_id: str, warehouse: Warehouse | None = None) -> list[dict]:
    """The history rows `run_id` recorded, from the reader copy."""
    warehouse = warehouse or Warehouse.for_readers()
    if not warehouse.exists("published.facility_risk_history"):
        return []
    return warehouse.query(HISTORY_SQL, [run_id]).to_dicts()


def _sent(directory: Path) -> set[tuple[str, str, str]]:
    path = directory / SENT_FILE
    if not path.is_file():
        return set()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(row["alert_id"], row["channel"], row["destination"]) for row in rows}


def _remember(directory: Path, alerts: list[dict], channel: str, destination: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = "".join(
        json.dumps(
            {"alert_id": a["alert_id"], "channel": channel, "destination": destination, "sent_at": when}
        )
        + "\n"
        for a in alerts
    )
    with (directory / SENT_FILE).open("a", encoding="utf-8") as handle:
        handle.write(lines)


def post_webhook(url: str, brand: str, alerts: list[dict], timeout_seconds: float = 10.0) -> int:
    """POST the brand's alerts as one JSON document; the HTTP status (raises on failure)."""
    import httpx  # only when alerts are posted (~0.2 s to import)

    response = httpx.post(url, json={"brand": brand, "alerts": alerts}, timeout=timeout_seconds)
    response.raise_for_status()
    return response.status_code


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def email_text(brand: str, alerts: list[dict]) -> str:
    """The plain-text body: one paragraph per alert with its evidence diff."""
    lines = [f"flrisk: {len(alerts)} change alert(s) for {brand}.", ""]
    for alert in alerts:
        diff = alert["evidence_diff"]
        lines.append(
            f"* {alert['rule']}: {alert['facility_name']} ({alert['country_code']}) {alert['facility_id']}"
        )
        if "added_to_brand" in diff["change_kinds"]:
            lines.append(f"  newly on {brand}'s list")
        lines.append(
            f"  band {diff['band']['old'] or '-'} -> {diff['band']['new'] or '-'}, "
            f"score {_score(diff['score']['old'])} -> {_score(diff['score']['new'])}"
        )
        for label, key in (
            ("list hit added", "list_hits_added"),
            ("driver added", "drivers_added"),
            ("driver removed", "drivers_removed"),
            ("list hit removed", "list_hits_removed"),
        ):
            lines.extend(f"  {label}: {item}" for item in diff[key])
        lines.append(f"  run {alert['run_id']}; details: flrisk facility {alert['facility_id']}")
    return "\n".join(lines) + "\n"


def send_email(smtp: dict, recipients: list[str], brand: str, alerts: list[dict]) -> None:
    """Send the brand's alerts in one message over SMTP (stdlib smtplib; STARTTLS and login if set)."""
    message = EmailMessage()
    message["Subject"] = f"flrisk alerts for {brand}: {len(alerts)} change(s)"
    message["From"] = smtp.get("from", "flrisk@localhost")
    message["To"] = ", ".join(recipients)
    message.set_content(email_text(brand, alerts))
    message.add_attachment(
        json.dumps(alerts, indent=2, default=str).encode("utf-8"),
        maintype="application",
        subtype="json",
        filename="alerts.json",
    )
    with smtplib.SMTP(smtp.get("host", "127.0.0.1"), int(smtp.get("port", 25)), timeout=10) as server:
        if smtp.get("starttls"):
            server.starttls()
        if smtp.get("username"):
            server.login(smtp["username"], os.environ.get(SMTP_PASSWORD_ENV, ""))
        server.send_message(message)


def deliver(run_id: str, log=None, home: Path | None = None, warehouse: Warehouse | None = None) -> dict:
    """Evaluate every brand's rules on the run's history rows and deliver what was not sent yet.
    Returns counts: alerts matched, delivered per channel, failures (logged, retried next time)."""
    brands, smtp = load_settings(rules_path(home))
    counts = {"matched": 0, "webhook": 0, "email": 0, "failed": 0}
    if not brands:
        return counts
    import httpx  # there are rules to deliver: the webhook failures below are httpx's

    alerts = alerts_for(brands, history_of_run(run_id, warehouse))
    counts["matched"] = len(alerts)
    directory = alerts_dir(home)
    sent = _sent(directory)
    for brand in brands:
        mine = [a for a in alerts if a["brand"] == brand.brand]
        channels = [("webhook", brand.webhook)] if brand.webhook else []
        channels += [("email", ",".join(brand.emails))] if brand.emails else []
        for channel, destination in channels:
            due = [a for a in mine if (a["alert_id"], channel, destination) not in sent]
            if not due:
                continue
            try:
                if channel == "webhook":
                    post_webhook(destination, brand.brand, due)
                else:
                    send_email(smtp, brand.emails, brand.brand, due)
            except (httpx.HTTPError, OSError, smtplib.SMTPException) as error:
                counts["failed"] += len(due)
                if log is not None:
                    log.warning(
                        f"could not deliver {len(due)} alert(s) for {brand.brand} by {channel}: "
                        + redact(str(error))
                    )
                continue
            _remember(directory, due, channel, destination)
            counts[channel] += len(due)
    return counts


def build_change_alert_sensor(jobs: list) -> dg.SensorDefinition:
    """After each successful run of `jobs` (they publish facility_risk_history), deliver its alerts."""

    @dg.run_status_sensor(
        name="change_alerts",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=jobs,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="After each successful run, sends every brand the changes its rules in "
        f"$FLRISK_HOME/{RULES_FILE} pick out (webhook and/or e-mail), each alert once.",
    )
    def change_alerts(context: dg.RunStatusSensorContext):
        run_id = context.dagster_run.run_id
        try:
            counts = deliver(run_id, context.log)
        except AlertConfigError as error:
            context.log.error(f"change alerts not sent: {error}")
            return dg.SkipReason(str(error))
        context.log.info(f"change alerts for run {run_id}: {counts}")
        return dg.SkipReason(f"alerts for run {run_id}: {counts}")

    return change_alerts
