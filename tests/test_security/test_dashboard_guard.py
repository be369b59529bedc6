"""Sharing the dashboard safely: the token, the Host header, request size, session ids.

Each case is a request to the real app (Dash's Flask server, through its test client):
the refusal is asserted, and that nothing was made on the server's disk.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli.app import app as cli
from sim.dashboard import create_app
from sim.dashboard.folders import (
    MAX_SESSIONS,
    PAGE_GONE_AFTER,
    PAGE_SIGN,
    SESSIONS,
    is_session_id,
    new_session_id,
    page_gone,
    session_dir,
)
from sim.dashboard.guard import MAX_REQUEST_BYTES, TOKEN_COOKIE, Access

TOKEN = "a-long-enough-token-for-tests"
LOCAL = "http://127.0.0.1:8050"  # the address it serves on


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("work")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, work):
    """The app as ``commsim dashboard`` serves it on loopback: a token is needed."""
    app = create_app(runs_dir=tmp_path_factory.mktemp("runs"), work_dir=work,
                     access=Access.for_address("127.0.0.1", TOKEN))
    return app


def test_without_the_token_a_page_is_refused(guarded):
    client = guarded.server.test_client()
    response = client.get("/", base_url=LOCAL)
    assert response.status_code == 403
    assert b"needs its token" in response.data
    assert client.get("/?token=wrong", base_url=LOCAL).status_code == 403
    layout = client.get("/_dash-layout", base_url=LOCAL)
    assert layout.status_code == 403


def test_the_token_in_the_address_becomes_a_cookie_and_leaves_the_address(guarded):
    client = guarded.server.test_client()
    first = client.get(f"/?token={TOKEN}", base_url=LOCAL)
    assert first.status_code == 302 and first.headers["Location"].endswith("/")
    cookie = first.headers["Set-Cookie"]
    assert f"{TOKEN_COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    page = client.get("/", base_url=LOCAL)  # the cookie is sent from now on
    assert page.status_code == 200 and b"commsim dashboard" in page.data
    assert client.get("/_dash-layout", base_url=LOCAL).status_code == 200


def test_a_foreign_host_header_is_refused_even_with_the_token(guarded):
    """DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own Host."""
    client = guarded.server.test_client()
    client.get(f"/?token={TOKEN}", base_url=LOCAL)
    for host in ("evil.example", "evil.example:8050", "192.168.1.5:8050"):
        response = client.get("/_dash-layout", base_url=f"http://{host}")
        assert response.status_code == 403, host
        assert b"answers only to the address" in response.data
    for host in ("localhost:8050", "[::1]:8050", "127.0.0.1"):
        response = client.get(f"/?token={TOKEN}", base_url=f"http://{host}")
        assert response.status_code == 302, host  # served: the token becomes its cookie


def test_a_big_body_is_refused_before_it_is_read(guarded):
    client = guarded.server.test_client()
    client.get(f"/?token={TOKEN}", base_url=LOCAL)
    body = b"x" * (MAX_REQUEST_BYTES + 1)
    response = client.post("/_dash-update-component", data=body, base_url=LOCAL,
                           content_type="application/json")
    assert response.status_code == 413


def heartbeat(app, client, session: str):
    """The request an open page sends every few seconds, with ``session`` as its id."""
    key = next(k for k, v in app.callback_map.items()
               if any(i["id"] == "heartbeat" for i in v.get("inputs", [])))
    body = {"output": key, "outputs": [], "inputs": [
        {"id": "heartbeat", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["heartbeat.n_intervals"],
        "state": [{"id": "session-id", "property": "data", "value": session}]}
    return client.post("/_dash-update-component", data=json.dumps(body),
                       content_type="application/json", base_url=LOCAL)


def test_made_up_session_ids_make_no_folders(guarded, work):
    client = guarded.server.test_client()
    client.get(f"/?token={TOKEN}", base_url=LOCAL)
    for i in range(50):
        response = heartbeat(guarded, client, f"{i:048x}")
        assert response.status_code in (200, 204), response.data[:200]
    sessions = work / SESSIONS
    assert not sessions.exists() or not any(sessions.iterdir())


def test_a_session_id_from_the_page_makes_its_folder(guarded, work):
    client = guarded.server.test_client()
    client.get(f"/?token={TOKEN}", base_url=LOCAL)
    session = new_session_id(guarded.commsim_context.secret)
    response = heartbeat(guarded, client, session)
    assert response.status_code in (200, 204)
    assert (work / SESSIONS / session / PAGE_SIGN).is_file()


def test_session_ids_are_signed_by_their_dashboard():
    mine, other = b"k" * 32, b"j" * 32
    session = new_session_id(mine)
    assert is_session_id(session, mine)
    assert not is_session_id(session, other)
    assert not is_session_id(session[:32] + "0" * 16, mine)
    assert not is_session_id("../../etc", mine) and not is_session_id(None, mine)


def test_session_folders_are_capped_and_gone_pages_make_room(tmp_path):
    secret = b"s" * 32
    ids = [new_session_id(secret) for _ in range(MAX_SESSIONS)]
    for session in ids:
        (session_dir(tmp_path, session, secret) / PAGE_SIGN).touch()
    with pytest.raises(ValueError, match="pages are open"):
        session_dir(tmp_path, new_session_id(secret), secret)
    # one page closed long ago: its folder makes room for a new one
    gone = tmp_path / SESSIONS / ids[0]
    old = time.time() - PAGE_GONE_AFTER - 10
    import os

    os.utime(gone / PAGE_SIGN, (old, old))
    assert session_dir(tmp_path, new_session_id(secret), secret).is_dir()
    assert not gone.exists()
    assert sum(p.is_dir() for p in (tmp_path / SESSIONS).iterdir()) == MAX_SESSIONS


def test_a_page_that_never_sent_a_heartbeat_is_gone_after_the_delay(tmp_path):
    """The watchdog counts from the session's first use when no heartbeat ever came."""
    folder = tmp_path / "session"
    folder.mkdir()
    start = folder.stat().st_mtime
    assert not page_gone(folder, now=start + 1)
    assert page_gone(folder, now=start + PAGE_GONE_AFTER + 1)


def test_no_token_is_refused_off_loopback():
    result = CliRunner().invoke(cli, ["dashboard", "--host", "0.0.0.0", "--no-token"])
    assert result.exit_code == 2
    assert "--no-token: serving on 0.0.0.0 without a token" in result.output
    assert "Traceback" not in result.output


def test_without_a_token_setting_the_app_still_checks_the_host(tmp_path):
    app = create_app(runs_dir=tmp_path / "runs", work_dir=tmp_path / "work")
    client = app.server.test_client()
    assert client.get("/", base_url=LOCAL).status_code == 200
    assert client.get("/", base_url="http://evil.example").status_code == 403


# ------------------------------------------------------------------ jobs are bounded


def _hold_a_slot(own: str, ready, release) -> None:
    from sim.dashboard.limits import job_slot

    with job_slot(Path(own), max_jobs=2):
        ready.set()
        release.wait(30)


def test_one_job_per_page_and_a_global_cap(tmp_path):
    import multiprocessing

    from sim.dashboard.limits import JOB_FILE, JobRefused, job_slot

    ctx = multiprocessing.get_context("forkserver")
    pages = [tmp_path / SESSIONS / name for name in ("one", "two", "three")]
    for page in pages:
        page.mkdir(parents=True)
    release = ctx.Event()
    holders = []
    for page in pages[:2]:
        ready = ctx.Event()
        holder = ctx.Process(target=_hold_a_slot, args=(str(page), ready, release))
        holder.start()
        assert ready.wait(30)
        holders.append(holder)
    try:
        with pytest.raises(JobRefused, match="already going on this page"), \
                job_slot(pages[0], max_jobs=2):
            pass
        with pytest.raises(JobRefused, match="2 runs are going on this dashboard"), \
                job_slot(pages[2], max_jobs=2):
            pass
    finally:
        release.set()
        for holder in holders:
            holder.join(30)
    with job_slot(pages[2], max_jobs=2):  # both ended: slots are free again
        assert (pages[2] / JOB_FILE).is_file()
    assert not (pages[2] / JOB_FILE).exists()


def test_a_killed_job_leaves_no_stale_slot(tmp_path):
    from sim.dashboard.limits import JOB_FILE, job_slot

    page = tmp_path / SESSIONS / "one"
    page.mkdir(parents=True)
    (page / JOB_FILE).write_text("999999999")  # a process that is not there
    with job_slot(page, max_jobs=1):
        pass


def _watched_forever(child_pid_file: str) -> None:
    import subprocess
    import sys

    from sim.dashboard.limits import watchdog

    with watchdog(lambda: Path(child_pid_file).with_suffix(".gone").exists(), every=0.1):
        worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        Path(child_pid_file).write_text(str(worker.pid))
        time.sleep(60)  # a replicate that never reaches a progress callback


def test_the_watchdog_ends_a_job_and_its_workers_mid_replicate(tmp_path):
    import multiprocessing

    import psutil

    from sim.dashboard.limits import WATCHDOG_EXIT

    pid_file = tmp_path / "worker.pid"
    job = multiprocessing.get_context("forkserver").Process(target=_watched_forever,
                                                            args=(str(pid_file),))
    job.start()
    deadline = time.time() + 30
    while not pid_file.exists() and time.time() < deadline:
        time.sleep(0.05)
    worker = int(pid_file.read_text())
    start = time.time()
    pid_file.with_suffix(".gone").touch()  # the page is gone
    job.join(10)
    assert job.exitcode == WATCHDOG_EXIT
    assert time.time() - start < 5
    try:
        status = psutil.Process(worker).status()
    except psutil.NoSuchProcess:
        status = "gone"
    assert status in ("gone", psutil.STATUS_ZOMBIE)


def test_a_symbolic_link_out_of_the_runs_folder_is_not_listed(tmp_path):
    import sim
    from sim.dashboard.folders import list_folders
    from sim.running.output import write_run

    outside, runs = tmp_path / "outside", tmp_path / "runs"
    runs.mkdir()
    write_run(sim.run(sim.parse_scenario("name: r\ndays: 3\nreplicates: 1\n"
                                         "population: {size: 100}\n")), outside / "secret-run")
    write_run(sim.run(sim.parse_scenario("name: r\ndays: 3\nreplicates: 1\n"
                                         "population: {size: 100}\n")), runs / "mine")
    (runs / "link").symlink_to(outside / "secret-run")
    (runs / "inside-link").symlink_to(runs / "mine")
    assert sorted(f.name for f in list_folders(runs)) == ["inside-link", "mine"]


# ------------------------------------------------------------------ malformed callbacks

MALFORMED = (None, "x" * 10, 12345, {"a": 1}, [1, 2], "../../etc/passwd")


def _dependency(spec: dict, value) -> dict | list:
    if isinstance(spec["id"], dict):  # a pattern-matching id: a list of matches
        ident = {k: (v if isinstance(v, str | int) else "a") for k, v in spec["id"].items()}
        return [{"id": ident, "property": spec["property"], "value": value}]
    return {"id": spec["id"], "property": spec["property"], "value": value}


def _forged(key: str, spec: dict, value) -> dict:
    """A callback request as a client other than the page could send it."""
    out = spec.get("output") or []
    out = out if isinstance(out, list) else [out]
    outputs = [{"id": o.component_id, "property": o.component_property} for o in out]
    first = spec["inputs"][0]
    changed = json.dumps(first["id"]) if isinstance(first["id"], dict) else first["id"]
    return {"output": key,
            "outputs": outputs if key.startswith("..") else (outputs[0] if outputs else []),
            "inputs": [_dependency(i, value) for i in spec["inputs"]],
            "changedPropIds": [f"{changed}.{first['property']}"],
            "state": [_dependency(s, value) for s in spec.get("state", [])]}


def test_malformed_callback_inputs_get_an_answer_not_a_server_error(tmp_path, caplog):
    app = create_app(runs_dir=tmp_path / "runs", work_dir=tmp_path / "work")
    client = app.server.test_client()
    callbacks = {k: v for k, v in app.callback_map.items() if not v.get("background")}
    assert len(callbacks) >= 15
    statuses = []
    for key, spec in callbacks.items():
        for value in MALFORMED:
            response = client.post("/_dash-update-component",
                                   data=json.dumps(_forged(key, spec, value)),
                                   content_type="application/json", base_url=LOCAL)
            statuses.append(response.status_code)
            assert response.status_code < 500, (key, value, response.data[:300])
    assert 400 in statuses  # some were refused, with a line, not a traceback
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= 30]


def test_served_on_all_addresses_it_asks_for_the_token_from_any_host(tmp_path):
    app = create_app(runs_dir=tmp_path / "runs", work_dir=tmp_path / "work",
                     access=Access.for_address("0.0.0.0", TOKEN))
    client = app.server.test_client()
    for host in ("192.168.1.5:8050", "my-laptop.local:8050"):
        refused = client.get("/", base_url=f"http://{host}")
        assert refused.status_code == 403 and b"needs its token" in refused.data
        assert client.get(f"/?token={TOKEN}", base_url=f"http://{host}").status_code == 302


def test_the_command_prints_the_address_with_a_fresh_token(monkeypatch, tmp_path):
    import dash

    served = {}
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: served.update(kw, app=self))
    result = CliRunner().invoke(cli, ["dashboard", "--host", "0.0.0.0", "--port", "8771",
                                      "--runs", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert served["host"] == "0.0.0.0"
    assert "warning: serving on 0.0.0.0" in result.output
    token = result.output.split("?token=")[1].split()[0]
    assert len(token) >= 32
    client = served["app"].server.test_client()
    assert client.get("/", base_url="http://10.0.0.2:8771").status_code == 403
    assert client.get(f"/?token={token}", base_url="http://10.0.0.2:8771").status_code == 302
