"""Load scenario: people log in, read the strategy and the dashboards, use the filters and save
measurements. Run by bench/load.sh against gunicorn (DEBUG off) on the ntnu-scale demo data.

Every answer other than a 2xx (or the login's redirect) counts as an error: the dashboards, My
unit and the measurement grid are all on main, so a 404 is a bug in the build or the scenario.
"""

from __future__ import annotations

import random
import re
from html import unescape

from locust import HttpUser, between, task

PASSWORD = "veikart-demo"
READERS = ["rector", "ie-leader", "idi-leader"]
#: Reporter → the unit whose grid they fill in (their own unit; NV owns indicators at ntnu scale).
REPORTERS = {"idi-reporter": "IDI", "nv-reporter": "NV"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DASHBOARD_LINK = re.compile(r'href="(/dashboard/(?:area|unit)/[^"#?]*)')
OPTION = re.compile(r'<select[^>]*name="(period|unit)"[^>]*>(.*?)</select>', re.S)
VALUE = re.compile(r'<option value="([^"]+)"')
ROW = re.compile(r'<tr id="row-([^"]+)"([^>]*)>(.*?)</tr>', re.S)
TAG_INPUT = re.compile(r"<input\b([^>]*)>", re.S)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
# Where the grid's script posts a row (the row's `data-save-url`).
SAVE_URL = re.compile(r'data-save-url="([^"]+)"')


class Person(HttpUser):
    wait_time = between(1, 3)
    abstract = True
    usernames: list[str] = []

    def on_start(self) -> None:
        self.username = random.choice(self.usernames)
        page = self.client.get("/login/", name="/login/ [GET]")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="/login/ [POST]",
            catch_response=True,
        ) as response:
            # The login redirects to the start page; a 200 that is still the login form failed.
            if response.status_code != 200 or 'name="password"' in response.text:
                response.failure(f"login of {self.username} failed")

    @task(1)
    def strategy(self) -> None:
        self.client.get("/", name="/ (strategy)")


class Reader(Person):
    """The rectorate and faculty/department leaders: dashboards, drill-downs and filters."""

    weight = 3
    usernames = READERS

    def on_start(self) -> None:
        super().on_start()
        page = self.client.get("/dashboard/", name="/dashboard/ (overview)")
        self.links = {"area": [], "goal": [], "unit": []}
        self.learn(page.text)
        selects = dict(OPTION.findall(page.text))
        self.periods = VALUE.findall(selects.get("period", ""))
        self.units = VALUE.findall(selects.get("unit", ""))

    def learn(self, text: str) -> None:
        for link in DASHBOARD_LINK.findall(text):
            kind = "goal" if "/goal/" in link else "unit" if "/unit/" in link else "area"
            if "/pillar/" not in link and link not in self.links[kind]:
                self.links[kind].append(link)

    def drill(self, kind: str, name: str) -> None:
        if self.links[kind]:
            page = self.client.get(random.choice(self.links[kind]), name=name)
            self.learn(page.text)

    @task(3)
    def overview(self) -> None:
        self.client.get("/dashboard/", name="/dashboard/ (overview)")

    @task(2)
    def area(self) -> None:
        self.drill("area", "/dashboard/area/[area]/")

    @task(2)
    def goal(self) -> None:
        self.drill("goal", "/dashboard/area/[area]/goal/[goal]/")

    @task(2)
    def unit(self) -> None:
        self.drill("unit", "/dashboard/unit/[code]/")

    @task(1)
    def completeness(self) -> None:
        self.client.get("/dashboard/completeness/", name="/dashboard/completeness/")

    @task(3)
    def htmx_filter(self) -> None:
        """What the filter form sends on change: period and unit, the panel partial only."""
        path = random.choice(["/dashboard/", "/dashboard/completeness/", *self.links["area"][:3]])
        params = {}
        if self.periods:
            params["period"] = random.choice(self.periods)
        if self.units:
            params["unit"] = random.choice(self.units)
        self.client.get(
            path,
            params=params,
            name="/dashboard/* [htmx filter]",
            headers={"HX-Request": "true", "HX-Current-URL": f"{self.host}{path}"},
        )


class Reporter(Person):
    """Department reporters: their unit, the measurement grid, saving values."""

    weight = 2
    usernames = list(REPORTERS)

    @task(2)
    def my_unit(self) -> None:
        self.client.get("/my-unit/", name="/my-unit/")

    @task(3)
    def save_measurement(self) -> None:
        code = REPORTERS[self.username]
        with self.client.get(
            f"/units/{code}/values/", name="/units/[code]/values/", catch_response=True
        ) as grid:
            rows = [
                (prefix, url.group(1), body)
                for prefix, attributes, body in ROW.findall(grid.text)
                if (url := SAVE_URL.search(attributes))
            ]
            if grid.status_code == 200 and not rows:
                # A scenario that silently stops saving measures reads only.
                grid.failure("the grid offers no row to save")
        if not rows:
            return
        prefix, url, body = random.choice(rows)
        # The row's value, comment and version inputs and the page's CSRF token, as the grid's
        # script sends them (with HX-Request the answer is the row).
        data = {"csrfmiddlewaretoken": CSRF.search(grid.text).group(1)}
        for tag in TAG_INPUT.findall(body):
            attributes = dict(ATTRIBUTE.findall(tag))
            if "name" in attributes:
                data[attributes["name"]] = unescape(attributes.get("value", ""))
        data[f"{prefix}-value"] = str(random.randint(1, 5))  # valid for every measure (scores: 1–5)
        with self.client.post(
            unescape(url),
            data,
            name="/units/[code]/values/[save]",
            headers={"HX-Request": "true"},
            catch_response=True,
        ) as response:
            # A version conflict with a colleague is an expected answer (the row with a notice);
            # a refused value (has-error) means the scenario sent something wrong.
            answered = response.text if response.status_code == 200 else ""
            if "has-error" in answered:
                response.failure("the save was refused")
            elif answered and "grid-row saved" not in answered and "has-conflict" not in answered:
                response.failure("the answer is not the saved row")
