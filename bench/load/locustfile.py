"""Social workers on their phones, for Locust: the worklist, a household, a visit logged.

Run by bench/scenarios/load.py (`BENCH_MODULES=load make bench`), which starts gunicorn on
the bench database, signs the workers in and passes their session cookies in LOAD_SESSIONS
(a file: one `username<TAB>sessionid` a line). By hand, against a server you started:

    LOAD_SESSIONS=sessions.tsv locust -f bench/load/locustfile.py --headless \\
        -u 50 -r 10 -t 60s --host http://127.0.0.1:8000 SocialWorker

`SocialWorker` is the real mix. `Reference` sends the same number of requests at the same
pace to /healthz, which touches no database: the server's and the client's own cost.
LOAD_MAX_REQUESTS (default 6000) stops the run early, so a run never writes more than that
many visits' worth of requests into the bench database; LOAD_THINK ("1,3") is the pause
between two taps, in seconds.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task
from requests.cookies import create_cookie

# Seconds a worker spends reading a page before the next tap: LOAD_THINK="min,max".
THINK_RANGE = tuple(float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(","))
THINK = between(*THINK_RANGE)
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "6000"))
_VISIT = re.compile(r'href="(/cases/households/[0-9a-f-]{36}/visits/new/)"')
_DETAIL = re.compile(r'href="(/households/[0-9a-f-]{36}/)"')


def _sessions() -> list[tuple[str, str]]:
    path = os.environ.get("LOAD_SESSIONS")
    if not path:
        return []
    lines = Path(path).read_text().splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if "\t" in line]  # type: ignore[misc]


_logins = itertools.cycle(_sessions() or [("", "")])
_sent = itertools.count(1)


@events.request.add_listener
def _bounded(**kwargs: Any) -> None:
    """Stop the whole run once MAX_REQUESTS requests have been made."""
    if next(_sent) == MAX_REQUESTS and _environment is not None:
        import gevent

        gevent.spawn(_environment.runner.quit)  # not from inside the user's own greenlet


_environment: Any = None


@events.init.add_listener
def _keep(environment: Any, **kwargs: Any) -> None:
    global _environment
    _environment = environment


def _arrive() -> None:
    """Start after a pause of the usual length, so users do not all open the app at once."""
    import gevent

    gevent.sleep(random.uniform(0, THINK_RANGE[1]))


class _Form(HTMLParser):
    """The fields of the page's POST form that holds `marker`, as a browser would send them."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.forms: list[list[tuple[str, str]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._fields = []
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("checkbox", "radio"):
                # A checked box without a value attribute posts "on", as browsers send it
                # (Django renders a checked CheckboxInput without one); "" would uncheck it,
                # so every visit logged would change its members' boxes.
                self._fields.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "file"):
                self._fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._fields is None:
            return
        if tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self._fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form":
            self.forms.append(self._fields)
            self._fields = None

    def fields(self) -> list[tuple[str, str]] | None:
        return next((f for f in self.forms if any(n == self.marker for n, _ in f)), None)


# FastHttpUser (geventhttpclient) rather than HttpUser (requests): Locust runs on the same
# two cores as the server it measures, and requests costs it several times the CPU per call.


def _host(base_url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(base_url).hostname or ""


class SocialWorker(FastHttpUser):
    """One social worker: reads the worklist, opens households, logs a visit now and then."""

    wait_time = THINK

    def on_start(self) -> None:
        _arrive()
        self.username, session = next(_logins)
        if session:
            cookie = create_cookie("sessionid", session, domain=_host(self.host))
            self.client.cookiejar.set_cookie(cookie)
        self.visits: list[str] = []
        self.details: list[str] = []
        self.worklist()

    @task(3)
    def worklist(self) -> None:
        with self.client.get("/cases/worklist/", name="worklist", catch_response=True) as r:
            if r.status_code != 200 or "/login/" in r.url:
                r.failure(f"worklist: {r.status_code} {r.url}")
                return
            self.visits = list(dict.fromkeys(_VISIT.findall(r.text)))
            self.details = list(dict.fromkeys(_DETAIL.findall(r.text)))

    @task(4)
    def household(self) -> None:
        if self.details:
            self.client.get(random.choice(self.details), name="household")

    @task(1)
    def log_visit(self) -> None:
        if not self.visits:
            return
        url = self.visits.pop(random.randrange(len(self.visits)))
        form = self.client.get(url, name="visit form")
        fields = _Form("m-TOTAL_FORMS")
        fields.feed(form.text)
        data = fields.fields()
        if form.status_code != 200 or data is None:
            return
        answers = {"method": "home", "living_status": "fair", "needs_noted": "压测：一切如常"}
        data = [(k, v) for k, v in data if k not in answers] + list(answers.items())
        with self.client.post(
            url,
            data=urlencode(data),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": self.host},
            name="visit log",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"visit not logged: {r.status_code}")


class Reference(FastHttpUser):
    """The same requests at the same pace, each a GET of /healthz: no session, no database."""

    wait_time = THINK

    def on_start(self) -> None:
        _arrive()
        self._get("worklist")

    def _get(self, name: str) -> None:
        self.client.get("/healthz", name=name)

    @task(3)
    def worklist(self) -> None:
        self._get("worklist")

    @task(4)
    def household(self) -> None:
        self._get("household")

    @task(1)
    def log_visit(self) -> None:
        self._get("visit form")
        self._get("visit log")
