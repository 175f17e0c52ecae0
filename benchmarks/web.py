"""Web load benchmark (issue 11; docs/performance.md, "Web load"): gunicorn with the
production settings on loopback, loaded by locust (headless, 16 concurrent users, no think
time) from a second process, page by page, against a reference page of the same server that
renders 50 rows of one table (etage/core/views_reference.py: the floor of the stack). One
JSON line per page on stdout:

    {"measure": "web", "page": ..., "requests_per_s": ..., "p50_ms": ..., "p99_ms": ...,
     "throughput_ratio": ..., "p99_ratio": ..., "queries": ..., "server_peak_rss_mb": ...}

``throughput_ratio`` is the page's requests per second over the reference page's and
``p99_ratio`` its 99th percentile over the reference's (the reference is measured first and
last; its mean is the baseline). ``queries`` is the page's SQL query count, measured in
process (django.test.Client + CaptureQueriesContext, production settings, same session).
``server_peak_rss_mb`` is the peak of the summed resident memory of gunicorn's master and
workers while the page was loaded.

Data: whatever the database holds. By default a scratch SQLite file
var/bench/web-<scale>/etage.sqlite3; set DATABASE_URL to use another database made for it (it
is written to: accounts, sessions, access log). When it holds no situation, the generator
(``etage_generate --scale --seed``) fills it if it exists, else the demo (``etage_demo``).

The accounts measured (a coordinator, a professional, a steering account) are made usable
under production settings in this database: marked as not demo accounts (production refuses
demo accounts) and given a confirmed TOTP device; each simulated user gets its own session,
built as the login page would leave it once the second factor is given
(``otp_device_id``). Nothing in the settings is weakened: the server runs
config.settings.prod with a random secret key, ALLOWED_HOSTS=127.0.0.1 and HTTPS as a
reverse proxy declares it (``X-Forwarded-Proto: https``); only
``ETAGE_BENCHMARK_REFERENCE=true`` registers the reference page.

    python benchmarks/web.py [--scale small|metropolis|national] [--seed 2019]
        [--users 16] [--seconds 30] [--workers 5]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
#: Preferred accounts of the demo (etage/demo/reference.py), else the first of each role.
PERSONAS = {
    "coordinator": "t1-coordination",
    "professional": "t1-professionnel",
    "steering": "t1-pilotage",
}
REFERENCE = "reference (50 rows of one table)"


def _pages(situation_id: int) -> list[tuple[str, str, str]]:
    """(page, persona, path) in the order measured: the reference before and after every page,
    so that each page is compared with the reference measured just around it (the machine's
    load moves between minutes; the references at the ends alone gave ratios ± 25 %)."""
    measured = [
        ("situation list, filtered", "coordinator", "/situations/?status=in_support&q=a"),
        ("situation page", "professional", f"/situations/{situation_id}/"),
        ("my work (professional)", "professional", "/mon-travail/"),
        ("my work (coordinator)", "coordinator", "/mon-travail/"),
        ("steering dashboard", "steering", "/indicateurs/"),
    ]
    reference = (REFERENCE, "coordinator", "/banc-de-mesure/reference/")
    pages = [reference]
    for page in measured:
        pages += [page, reference]
    return pages


# --- child processes ---------------------------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_setup(scale: str, seed: int) -> dict[str, Any]:
    """Development settings (the demo and the generator refuse production): migrate, fill an
    empty database, prepare the accounts measured."""
    _django()
    from django.core.management import call_command, get_commands
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from etage.accounts.models import User
    from etage.accounts.roles import STRONG_AUTH_ROLES
    from etage.situations.models import PathwayEvent, Situation
    from etage.situations.permissions import situations_visible_to

    # What preparing the data cost, when this run had to (0 when the database had them).
    prepared = {"generate_seconds": 0.0, "snapshot_seconds": 0.0, "indicators_seconds": 0.0}
    call_command("migrate", interactive=False, verbosity=0)
    if not Situation.objects.exists():
        begun = time.monotonic()
        if "etage_generate" in get_commands():
            call_command("etage_generate", scale=scale, seed=seed)
        else:
            sys.stderr.write("etage_generate absent: the demo data fill the database.\n")
            call_command("etage_demo", seed=seed)
        prepared["generate_seconds"] = round(time.monotonic() - begun, 1)
    data = "generated" if "etage_generate" in get_commands() else "demo"
    from etage.analytics.models import IndicatorValue

    if not IndicatorValue.objects.exists():
        # The steering dashboard reads the stored figures: the snapshot and the indicators
        # computed from it, as the nightly commands leave them in production.
        from etage.demo.analytics import demo_build_analytics

        built = demo_build_analytics()
        prepared["snapshot_seconds"] = built.snapshot_seconds
        prepared["indicators_seconds"] = built.indicators_seconds
    # Rows written in bulk a moment ago are unknown to the planner until its statistics are
    # refreshed (autovacuum comes minutes later): measure on the plans of the real volumes.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    personas: dict[str, str] = {}
    for role, preferred in PERSONAS.items():
        # Generated data first (the first territory's accounts, "g001-…"): the import
        # benchmark may have added the demo's reference accounts to the same database, and
        # those see none of the generated situations.
        user = (
            User.objects.filter(role=role, is_active=True, username__startswith="g001-")
            .order_by("username")
            .first()
            or User.objects.filter(username=preferred).first()
            or User.objects.filter(role=role, is_active=True).order_by("username").first()
        )
        assert user is not None, f"no {role} account in the database"
        # Production refuses demo accounts: the accounts measured stand for real ones here.
        if user.is_demo:
            user.is_demo = False
            user.save(update_fields=["is_demo"])
        if (
            role in STRONG_AUTH_ROLES
            and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        ):
            TOTPDevice.objects.create(user=user, name="banc de mesure", confirmed=True)
        personas[role] = user.username
    professional = User.objects.get(username=personas["professional"])
    from django.db.models import Count

    situation = (
        situations_visible_to(professional)
        .filter(archived_on__isnull=True, purged_on__isnull=True)
        .annotate(n=Count("events"))
        .order_by("-n", "pk")
        .first()
    )
    assert situation is not None, "the professional sees no situation"
    return {
        "personas": personas,
        "indicator_values": IndicatorValue.objects.count(),
        "situation_id": situation.pk,
        "data": data,
        "situations": Situation.objects.count(),
        "pathway_events": PathwayEvent.objects.count(),
        "users": User.objects.count(),
        **prepared,
    }


def child_sessions(personas: dict[str, str], users: int, paths: list[list[str]]) -> dict[str, Any]:
    """Production settings: one verified session per simulated user and persona, then the
    SQL query count of each page (second request of the same session: caches warm)."""
    _django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from etage.accounts.models import User

    sessions: dict[str, list[str]] = {}
    for role, username in personas.items():
        user = User.objects.get(username=username)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        keys = []
        for _ in range(users):
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "etage.accounts.backends.EtageBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            if device is not None:
                store[DEVICE_ID_SESSION_KEY] = device.persistent_id
            store.create()
            keys.append(str(store.session_key))
        sessions[role] = keys
    queries: dict[str, int | None] = {}
    statuses: dict[str, int] = {}
    for role, path in paths:
        client = Client(SERVER_NAME="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role][0]
        client.get(path, secure=True)  # warm the per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, secure=True)
        statuses[path] = response.status_code
        queries[path] = len(captured)
    return {"sessions": sessions, "queries": queries, "statuses": statuses}


# --- the run -----------------------------------------------------------------------------------


def _run_child(env: dict[str, str], *args: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"benchmarks/web.py {args[:2]} failed")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tree_rss_mb(pid: int) -> float:
    """Summed VmRSS of ``pid`` and its children (gunicorn's master and workers)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        todo.extend(int(child) for child in children)
    return round(total / 1024, 1)


class _RssSampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_mb(self.pid))
            self._stop.wait(0.2)

    def __enter__(self) -> _RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _locust(env: dict[str, str], host: str, users: int, seconds: int, out: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(HERE / "web_locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(out),
            "--only-summary",
            # The requests in flight at the end are finished and counted, not dropped.
            "--stop-timeout",
            "60",
            "--loglevel",
            "ERROR",
            "--skip-log-setup",
        ],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    stats = Path(f"{out}_stats.csv")
    rows = list(csv.DictReader(stats.open(newline=""))) if stats.exists() else []
    row = next((r for r in rows if r["Name"] == "page"), None)
    if row is None:
        raise SystemExit("locust measured nothing:\n" + completed.stderr[-3000:])
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "requests_per_s": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p99_ms": float(row["99%"]),
    }


def _wait_until_up(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + log.read_text()[-3000:])
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small", choices=["small", "metropolis", "national"])
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30, help="load per page")
    parser.add_argument("--warmup-seconds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--child", choices=["setup", "sessions"], help=argparse.SUPPRESS)
    parser.add_argument("--payload", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        print(json.dumps(child_setup(args.scale, args.seed)))
        return
    if args.child == "sessions":
        payload = json.loads(args.payload)
        result = child_sessions(payload["personas"], args.users, payload["paths"])
        print(json.dumps(result))
        return

    # Without the generator the demo fills the database, whatever the scale asked.
    generator = any(ROOT.glob("etage/*/management/commands/etage_generate.py"))
    work = ROOT / "var" / "bench" / (f"web-{args.scale}" if generator else "web-demo")
    work.mkdir(parents=True, exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base_env.setdefault("DATABASE_URL", f"sqlite:///{work / 'etage.sqlite3'}")
    base_env["ETAGE_DATA_DIR"] = str(work)
    base_env["PYTHONPATH"] = str(ROOT)
    setup = _run_child(
        # Development settings (the generator refuses production's), without DEBUG: it keeps
        # the SQL of every statement, which the national bulk writes would pile up.
        {**base_env, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DJANGO_DEBUG": "false"},
        "--child",
        "setup",
        "--scale",
        args.scale,
        "--seed",
        str(args.seed),
    )
    prod_env = {
        **base_env,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "ETAGE_PSEUDONYM_KEY": secrets.token_urlsafe(48),
        "ETAGE_BENCHMARK_REFERENCE": "true",
    }
    print(
        json.dumps(
            {
                "measure": "web_data",
                "data": setup["data"],
                "situations": setup["situations"],
                "pathway_events": setup["pathway_events"],
                "users_in_database": setup["users"],
                "indicator_values": setup["indicator_values"],
                **{k: v for k, v in setup.items() if k.endswith("_seconds")},
            }
        ),
        flush=True,
    )
    pages = _pages(setup["situation_id"])
    unique = sorted({(persona, path) for _page, persona, path in pages})
    prepared = _run_child(
        prod_env,
        "--child",
        "sessions",
        "--users",
        str(args.users),
        "--payload",
        json.dumps({"personas": setup["personas"], "paths": [list(p) for p in unique]}),
    )
    bad = {path: status for path, status in prepared["statuses"].items() if status != 200}
    if bad:
        raise SystemExit(f"pages not answering 200 in process: {bad}")

    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    log = work / "gunicorn.log"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--error-logfile",
            str(log),
        ],
        env=prod_env,
        cwd=ROOT,
    )
    results: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="etage-web-bench-"))
    try:
        _wait_until_up(port, server, log)
        for index, (page, persona, path) in enumerate(pages):
            locust_env = {
                **os.environ,
                "BENCH_PATH": path,
                "BENCH_SESSIONS": ",".join(prepared["sessions"][persona]),
                "BENCH_SESSION_COOKIE": "sessionid",
            }
            if args.warmup_seconds:
                # Not counted: fills the workers' caches (templates, translations, connection).
                with contextlib.suppress(SystemExit):
                    _locust(locust_env, host, args.users, args.warmup_seconds, tmp / f"w{index}")
            with _RssSampler(server.pid) as rss:
                measured = _locust(locust_env, host, args.users, args.seconds, tmp / f"m{index}")
            results.append(
                {
                    "page": page,
                    "path": path,
                    "persona": persona,
                    **measured,
                    "queries": prepared["queries"][path],
                    "server_peak_rss_mb": rss.peak,
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)

    database = "postgresql" if base_env["DATABASE_URL"].startswith("postgres") else "sqlite"
    positions = [i for i, r in enumerate(results) if r["page"] == REFERENCE]
    references = [results[i] for i in positions]
    for position, result in enumerate(results):
        if position in positions:
            # The reference itself: compared with the mean of all its measures.
            around = references
            result = {**result, "page": f"{REFERENCE} #{positions.index(position) + 1}"}
            baseline_name = "reference page, mean of all its measures"
        else:
            around = [results[position - 1], results[position + 1]]
            baseline_name = "reference page, mean of the measures just before and after"
        ref_rps = sum(r["requests_per_s"] for r in around) / len(around)
        ref_p99 = sum(r["p99_ms"] for r in around) / len(around)
        print(
            json.dumps(
                {
                    "measure": "web",
                    **result,
                    "baseline": baseline_name,
                    "baseline_requests_per_s": round(ref_rps, 1),
                    "baseline_p99_ms": ref_p99,
                    "throughput_ratio": round(result["requests_per_s"] / ref_rps, 3),
                    "p99_ratio": round(result["p99_ms"] / ref_p99, 2),
                    "users": args.users,
                    "workers": args.workers,
                    "seconds": args.seconds,
                    "database": database,
                    "data": setup["data"],
                    "situations": setup["situations"],
                    "pathway_events": setup["pathway_events"],
                    "users_in_database": setup["users"],
                    "account": setup["personas"][result["persona"]],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
