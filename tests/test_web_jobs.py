"""Background jobs: keyed by kind + inputs, one run per key, progress and results on disk, surviving restarts."""

from __future__ import annotations

import json
import re
import threading

from starlette.testclient import TestClient

from agent.web import create_app
from agent.web.jobs import Job, Jobs, job_id

ARTICLES = {
    "a.txt": "Ana Ruiz visits Lisbon\nOutlet: Wire One\n\nPrime Minister Ana Ruiz arrived in Lisbon on Tuesday "
             "for a two-day summit, officials said. She met the mayor on Wednesday.\n",
    "b.txt": "Ruiz in Lisbon\nOutlet: Daily Two\n\nPrime Minister Ana Ruiz arrived in Lisbon on Tuesday for "
             "talks on trade. The summit ends on Thursday, her office said.\n",
}


class Gate:
    """A job runner that waits until released, counting its runs and reporting progress first."""

    def __init__(self, result: dict | None = None, fail: bool = False):
        self.runs, self.release, self.started = 0, threading.Event(), threading.Event()
        self.result, self.fail = result or {"ok": True}, fail

    def __call__(self, ctx) -> dict:
        self.runs += 1
        ctx.progress("work", 1, 3, "one third")
        (ctx.dir / "out.txt").write_text("result file", encoding="utf-8")
        self.started.set()
        assert self.release.wait(10)
        if self.fail:
            raise RuntimeError("the model fell over")
        return self.result


def test_two_starts_of_one_key_run_once_and_a_finished_job_is_not_rerun(tmp_path):
    jobs, gate = Jobs(tmp_path / "jobs"), Gate()
    results = []
    threads = [threading.Thread(target=lambda: results.append(jobs.start("brief", {"t": 1}, gate))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({j.id for j in results}) == 1 and gate.started.wait(5)
    running = jobs.get(results[0].id)
    assert running.state == "running" and running.progress.message == "one third" and running.progress.total == 3
    gate.release.set()
    done = jobs.wait(results[0].id, timeout=10)
    assert done.state == "done" and done.result == {"ok": True} and gate.runs == 1
    again = jobs.start("brief", {"t": 1}, gate)
    assert again.state == "done" and again.started == done.started and gate.runs == 1
    other = jobs.start("brief", {"t": 2}, gate)  # other inputs: another job
    assert other.id != done.id
    jobs.wait(other.id, timeout=10)
    forced = jobs.start("brief", {"t": 1}, gate, force=True)
    jobs.wait(forced.id, timeout=10)
    assert gate.runs == 3 and jobs.get(forced.id).started > done.started
    jobs.shutdown()


def test_a_failed_job_says_why_and_can_be_started_again(tmp_path):
    jobs, gate = Jobs(tmp_path / "jobs"), Gate(fail=True)
    gate.release.set()
    job = jobs.wait(jobs.start("eval", {"suite": "x"}, gate).id, timeout=10)
    assert job.state == "failed" and job.error == "RuntimeError: the model fell over"
    assert "RuntimeError" in (jobs.job_dir(job.id) / "traceback.txt").read_text()
    gate.fail = False
    retried = jobs.wait(jobs.start("eval", {"suite": "x"}, gate).id, timeout=10)
    assert retried.state == "done" and gate.runs == 2
    jobs.shutdown()


def test_results_survive_a_new_instance_and_an_orphaned_job_reads_interrupted(tmp_path):
    first, gate = Jobs(tmp_path / "jobs"), Gate({"title": "kept"})
    gate.release.set()
    first.wait(first.start("brief", {"t": 1}, gate).id, timeout=10)
    orphan = Job(id=job_id("ingest", {"f": 1}), kind="ingest", inputs={"f": 1}, state="running")
    first.save(orphan)  # as if the server died while it ran
    first.shutdown()
    second = Jobs(tmp_path / "jobs")
    kept = second.find("brief", {"t": 1})
    assert kept.state == "done" and kept.result == {"title": "kept"}
    assert (second.job_dir(kept.id) / "out.txt").read_text() == "result file"
    assert second.get(orphan.id).state == "interrupted"
    restarted = second.wait(second.start("ingest", {"f": 1}, gate).id, timeout=10)
    assert restarted.state == "done"
    assert second.get("../etc") is None and second.get("nothere") is None
    second.shutdown()


def test_page_jobs_show_progress_survive_reload_and_a_new_app(tmp_path, monkeypatch):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    client = TestClient(create_app(home=home, model="fake:"), base_url="http://127.0.0.1")
    r = client.post("/corpus/path", data={"path": str(folder)}, follow_redirects=False)
    jid = re.search(r"job=(\w+)", r.headers["location"]).group(1)
    assert client.app.state.web.jobs.wait(jid, timeout=60).state == "done"
    assert "2 added" in client.get(f"/corpus?job={jid}").text
    again = client.post("/corpus/path", data={"path": str(folder)}, follow_redirects=False)
    assert again.headers["location"] == r.headers["location"]  # same files: the stored job, not a new one

    gate = Gate({"title": "t"})
    monkeypatch.setattr("agent.web.routes.brief.brief_runner", lambda *args: gate)
    first = client.post("/brief", data={"template": "brief"}, follow_redirects=False)
    second = client.post("/brief", data={"template": "brief"}, follow_redirects=False)  # another tab
    assert first.status_code == second.status_code == 303 and gate.started.wait(10)
    page = client.get("/brief").text  # a reload while it runs shows the job, for the script to poll
    box = re.search(r'data-job="(\w+)" data-state="(\w+)"', page)
    assert box and box.group(2) == "running"
    status = client.get(f"/jobs/{box.group(1)}").json()
    assert status["progress"] == {"stage": "work", "done": 1, "total": 3, "message": "one third"}
    gate.release.set()
    client.app.state.web.jobs.wait(box.group(1), timeout=10)
    assert gate.runs == 1 and client.get(f"/jobs/{box.group(1)}").json()["state"] == "done"
    client.app.state.web.jobs.shutdown()
    client.app.state.web.store.close()
    monkeypatch.undo()

    real = TestClient(create_app(home=home, model="fake:"), base_url="http://127.0.0.1")
    r = real.post("/brief", data={"template": "exec-memo"}, follow_redirects=False)
    memo = real.app.state.web.jobs.recent(1)[0]
    assert real.app.state.web.jobs.wait(memo.id, timeout=120).state == "done"
    restarted = TestClient(create_app(home=home, model="fake:"), base_url="http://127.0.0.1")
    page = restarted.get("/brief?template=exec-memo").text
    assert 'class="brief-title"' in page and "Ana Ruiz" in page
    assert json.loads((home / "web-jobs" / memo.id / "job.json").read_text())["state"] == "done"
    for c in (real, restarted):
        c.app.state.web.jobs.shutdown()
        c.app.state.web.store.close()
