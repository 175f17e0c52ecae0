"""Locust user of the web load benchmark (run by benchmarks/web.py, never on its own): each
simulated user holds its own logged-in session (built by web.py, second factor verified)
and requests one page in a closed loop, no think time — like wrk's connections. A response
other than 200 (a redirect to the login page included) is a failure.

Read from the environment: BENCH_PATH (the page), BENCH_SESSIONS (session keys, one per
user, comma-separated), BENCH_SESSION_COOKIE (the cookie's name).

The session cookie is sent as a header: production cookies are ``Secure`` and the load comes
over plain HTTP on loopback, with ``X-Forwarded-Proto: https`` as the TLS-terminating reverse
proxy of production sends it (SECURE_PROXY_SSL_HEADER), so no setting is weakened.
"""

from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, constant, task

PATH = os.environ.get("BENCH_PATH", "/")
SESSIONS = [key for key in os.environ.get("BENCH_SESSIONS", "").split(",") if key]
COOKIE = os.environ.get("BENCH_SESSION_COOKIE", "sessionid")
_next_session = itertools.count()


class PageUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        key = SESSIONS[next(_next_session) % len(SESSIONS)]
        self.headers = {"Cookie": f"{COOKIE}={key}", "X-Forwarded-Proto": "https"}

    @task
    def page(self) -> None:
        with self.client.get(
            PATH, headers=self.headers, name="page", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
