"""Every command the README gives, run as the person who runs it: a process of its own, with a
deployment's environment (DEBUG off, the app role's DATABASE_URL, no test-only switch), against the
test database. The cookie scanner's command runs against a live server in tests/e2e/test_scanner.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consent.models import ConsentRecord, DaySeal, PolicyRevision
from tests.servers import ROOT, owner_url, server_env
from tracking.models import Recipient


def deployment_env(**overrides: str) -> dict[str, str]:
    env = server_env(**{"DEBUG": "0", "EMAIL_URL": "consolemail://", **overrides})
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=deployment_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def succeeds(*args: str, **env: str) -> str:
    result = manage(*args, **env)
    assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stdout[-2000:]}{result.stderr[-3000:]}"
    return result.stdout


def test_the_release_job_migrates_as_the_owner(transactional_db):
    out = succeeds("migrate", "--database", "owner", "--noinput", DATABASE_OWNER_URL=owner_url())
    assert "No migrations to apply" in out or "Applying" in out


def test_demo_activity_is_refused_in_production_and_loads_in_development(transactional_db):
    refused = manage("load_demo_activity")
    assert refused.returncode == 1
    assert "DEBUG is off, nothing was written" in refused.stderr
    assert not ConsentRecord.objects.exists()
    succeeds("load_demo")
    # Demo decisions are written as the owner (the app role may not date a record): as make run does.
    succeeds("load_demo_activity", DEBUG="1", DATABASE_OWNER_URL=owner_url())
    assert ConsentRecord.objects.count() > 100


def test_the_nightly_jobs_and_the_dpos_commands_on_four_weeks_of_decisions(transactional_db, tmp_path: Path):
    succeeds("load_demo")
    succeeds("load_demo_activity", DEBUG="1", DATABASE_OWNER_URL=owner_url())
    records = ConsentRecord.objects.count()

    # The cron lines of the README, in their order.
    assert "would be deleted" in succeeds("purge_consents", "--dry-run")
    assert "deleted" in succeeds("purge_consents")
    succeeds("purge_leads")
    succeeds("purge_tracking_events")
    succeeds("seal_consents")
    succeeds("rollup_consents")
    sealed = DaySeal.objects.count()
    assert sealed >= 14  # four weeks of decisions, the last week and an hour not settled yet
    assert ConsentRecord.objects.count() == records  # nothing was older than five years

    # The DPO's commands.
    verified = manage("verify_consent_log")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    export = tmp_path / "log.csv"
    succeeds("export_consents", "--since", "2000-01-01", "--until", "2100-01-01", "--output", str(export))
    assert len(export.read_text().splitlines()) == records + 1  # a header, then one line per record
    revisions = PolicyRevision.objects.count()
    succeeds("bump_policy_revision", "Un nouveau fournisseur de mesure d'audience")
    assert PolicyRevision.objects.count() == revisions + 1


def test_a_tracked_email_is_sent_through_the_configured_backend(transactional_db):
    out = succeeds("send_tracked_email", "--to", "lea@example.com")
    assert "List-Unsubscribe:" in out and "Sent message" in out
    dry = succeeds("send_tracked_email", "--to", "lea@example.com", "--dry-run")
    assert "Dry run: nothing sent." in dry


@pytest.mark.parametrize(
    "command",
    [
        ["export_consents", "--since", "hier", "--until", "2100-01-01"],
        ["verify_consent_log", "--since", "2026-13-01"],
        ["scan_cookies", "--base-url", "https://evil.example"],
        ["send_tracked_email", "--to", "not an address"],
    ],
)
def test_bad_arguments_are_refused_in_a_sentence_and_change_nothing(transactional_db, command):
    result = manage(*command)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()  # what was wrong, said in a line
    assert not ConsentRecord.objects.exists()
    assert not Recipient.objects.exists()
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") is None
