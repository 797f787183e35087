"""The development cluster never jams: processes joining and leaving together, killed on the way, an
empty or corrupt list of processes, stale PIDs, and `make run` stopped by SIGTERM
(nocrm_site/embedded_pg)."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from nocrm_site import embedded_pg
from nocrm_site.embedded_pg import handles
from tests.servers import ROOT, free_port, request, wait_for

# A process that joins the cluster once the start file exists, says so, runs a query, and leaves at exit.
JOINER = """
import os, sys, time
from pathlib import Path
import psycopg
from nocrm_site import embedded_pg
pgdata, start = Path(sys.argv[1]), Path(sys.argv[2])
while not start.exists():
    time.sleep(0.01)
socket_dir = embedded_pg.ensure_running(pgdata, database="nocrm", owner="nocrm_owner", app="nocrm_app")
with psycopg.connect(host=str(socket_dir), user="nocrm_app", dbname="nocrm") as conn:
    conn.execute("SELECT 1")
print("joined", flush=True)
time.sleep(float(sys.argv[3]))
"""


@pytest.fixture
def pgdata():
    workdir = Path(tempfile.mkdtemp(prefix="nocrm-test-cluster-"))
    yield workdir / "data"
    embedded_pg.stop(workdir / "data")  # whatever a failed test left running
    shutil.rmtree(workdir)  # the cluster's own folder (root's) goes with the next new cluster


def joiner(pgdata: Path, start: Path, stay: float = 0.0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", JOINER, str(pgdata), str(start), str(stay)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def join_and_leave(pgdata: Path) -> None:
    start = pgdata.with_name("go")
    start.touch()
    process = joiner(pgdata, start)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert out == "joined\n"


@pytest.mark.parametrize("contents", ["", "[4242, ", "{}", "null", '[{"pid": "x"}]'])
def test_an_empty_or_corrupt_list_of_processes_is_repaired(pgdata, contents):
    join_and_leave(pgdata)
    handles.list_path(pgdata).write_text(contents)

    join_and_leave(pgdata)

    assert json.loads(handles.list_path(pgdata).read_text()) == []
    assert not embedded_pg.is_running(pgdata)


def test_stale_pids_do_not_keep_the_cluster_running(pgdata):
    join_and_leave(pgdata)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    reused = {"pid": os.getpid(), "started": 12.0}  # a live PID, but not the process that joined
    handles.list_path(pgdata).write_text(json.dumps([int(dead.stdout), reused]))

    join_and_leave(pgdata)

    assert not embedded_pg.is_running(pgdata)


def test_a_cluster_left_running_by_a_killed_process_is_adopted_then_stopped(pgdata):
    start = pgdata.with_name("go")
    start.touch()
    killed = joiner(pgdata, start, stay=60)
    assert killed.stdout.readline() == "joined\n"
    killed.kill()
    killed.wait()
    assert embedded_pg.is_running(pgdata)

    join_and_leave(pgdata)

    assert not embedded_pg.is_running(pgdata)


def test_twenty_processes_joining_and_leaving_at_once_some_killed_then_make_run_serves(pgdata):
    start = pgdata.with_name("go")
    chance = random.Random(16)
    processes = [joiner(pgdata, start, stay=chance.uniform(0, 1)) for _ in range(20)]
    time.sleep(1)  # every one imported and waiting
    start.touch()
    # Killed at any point: before joining, while initialising or starting the cluster, or after.
    for number, process in enumerate(processes):
        if number % 4 == 1:
            time.sleep(chance.uniform(0, 0.3))
            process.send_signal(signal.SIGTERM)
        elif number % 4 == 2:
            time.sleep(chance.uniform(0, 0.3))
            process.kill()
    results = [(process.communicate(timeout=180), process.returncode) for process in processes]
    survivors = [result for number, result in enumerate(results) if number % 4 in (0, 3)]
    assert all(code == 0 and out == "joined\n" for (out, _), code in survivors), survivors
    json.loads(handles.list_path(pgdata).read_text())  # never empty nor half-written

    run_make_run_until_sigterm(pgdata)

    assert json.loads(handles.list_path(pgdata).read_text()) == []
    assert not embedded_pg.is_running(pgdata)


def run_make_run_until_sigterm(pgdata: Path, *, signals: int = 1) -> None:
    """What `make run` runs (manage.py dev), on this cluster: it migrates, serves, and stops on SIGTERM
    (sent ``signals`` times, as an impatient person presses Ctrl-C again); nothing serves afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "EMBEDDED_PGDATA": str(pgdata),
        "EMBEDDED_CLEANUP": "stop",
        "DATABASE_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "dev", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            wait_for(lambda: _serves(f"http://127.0.0.1:{port}/healthz"), timeout=120, what="make run serving")
        finally:
            for _ in range(signals):
                server.send_signal(signal.SIGTERM)
                time.sleep(0.3)
            server.wait(timeout=30)
            log.seek(0)
            output = log.read()
        assert server.returncode == 0, output[-3000:]
        assert not _serves(f"http://127.0.0.1:{port}/healthz")


def _serves(url: str) -> bool:
    try:
        return request(url)[0] == 200
    except OSError:
        return False


def test_make_run_stopped_twice_in_a_row_stops_its_server_and_the_cluster(pgdata):
    run_make_run_until_sigterm(pgdata, signals=2)

    assert not embedded_pg.is_running(pgdata)


def folder_modes(*paths: Path) -> dict[Path, int]:
    """The mode of each folder from ``/`` down to each path."""
    return {folder: folder.stat().st_mode for path in paths for folder in [*path.parents, path] if folder.exists()}


def test_a_cluster_under_a_private_folder_runs_and_no_folder_changes_mode():
    private = Path(tempfile.mkdtemp(prefix="nocrm-private-"))  # mode 700, as a new user's clone may be
    pgdata = private / "clone" / ".pgdata"
    pgdata.parent.mkdir(mode=0o700)
    before = folder_modes(private, ROOT, Path(sys.prefix), Path(embedded_pg.__file__))
    try:
        join_and_leave(pgdata)
        assert folder_modes(private, ROOT, Path(sys.prefix), Path(embedded_pg.__file__)) == before
        assert private.stat().st_mode & 0o777 == 0o700
    finally:
        embedded_pg.stop(pgdata)
        shutil.rmtree(private)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the cluster as a system user")
def test_a_home_the_system_user_cannot_enter_is_refused_in_one_sentence_and_nothing_is_chmodded():
    private = Path(tempfile.mkdtemp(prefix="nocrm-closed-"))
    env = {
        **os.environ,
        "EMBEDDED_SYSTEM_HOME": str(private / "home"),
        "EMBEDDED_PGDATA": str(private / "data"),
        "DATABASE_URL": "",
    }
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--database", "owner"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        [sentence] = result.stderr.strip().splitlines()
        assert f"cannot enter {private}" in sentence and "EMBEDDED_SYSTEM_HOME" in sentence
        assert private.stat().st_mode & 0o777 == 0o700
        assert not (private / "home").exists()
    finally:
        shutil.rmtree(private)
