"""One account in one place (the 360° view): profile, score, health, decision map,
deals with their stage and missing deliverables, timeline and tasks."""

from __future__ import annotations

from datetime import date

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from kamtui.domain import stages as sop
from kamtui.domain.decision_map import ROLES
from kamtui.domain.tracks import TRACKS
from kamtui.services.book import AccountView, Book
from kamtui.ui import strings as S
from kamtui.ui.messages import AccountLoaded
from kamtui.ui.safe import content, text


class AccountScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="account.back"),
        Binding("backspace", "app.pop_screen", S.KEY_BACK, show=False),
    ]

    def __init__(self, book: Book, today: date, account_id: int) -> None:
        super().__init__()
        self.book = book
        self.today = today
        self.account_id = account_id
        self.view: AccountView | None = None
        self._sections: list[Text] = []
        self._plain: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with VerticalScroll(id="account-body"):
            yield Static(id="account-sections")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def load(self) -> None:
        self.post_message(AccountLoaded(self.book.account_view(self.account_id, self.today)))

    def on_account_loaded(self, message: AccountLoaded) -> None:
        self._sections = []
        v = self.view = message.view
        d = v.derived
        p = v.profile
        tier = d.tier or "unscored"
        self.query_one("#title", Static).update(
            content(f"{p['name']}  ·  {tier}  ·  {p['track']}  ·  {p['owner']}")
        )

        profile = Text()
        for label, key in (
            ("industry", "industry"), ("segment", "segment"), ("region", "region"),
            ("annual revenue", "annual_revenue"), ("employees", "employees"), ("branches", "branches"),
            ("tech maturity", "tech_maturity"), ("financial health", "financial_health"),
            ("status", "status"), ("owner", "owner"), ("pain points", "pain_points"),
            ("last touch", "last_touch"), ("last executive touch", "last_exec_touch"),
        ):  # fmt: skip
            value = p.get(key)
            if key == "annual_revenue" and value is not None:
                value = f"{value:,.0f}"
            profile.append(f"{label:>22}  ", style="dim")
            profile.append_text(text("–" if value in (None, "") else value))
            profile.append("\n")
        track = TRACKS.get(p["track"])
        if track:
            profile.append(f"{'track':>22}  ", style="dim")
            profile.append(
                S.TRACK_PLAY.format(label=f"{track.label} {track.label_zh}", play=track.play)
            )
        self._section("profile", S.SECTION_PROFILE, profile)

        score = Text()
        model = self.book.config.model
        for line in d.score.breakdown:
            crit = model.criterion(line.key)
            rating = "–" if line.rating is None else str(line.rating)
            part = "" if line.contribution is None else f"{line.contribution:.2f}"
            score.append(
                f"{crit.label} {crit.label_zh}".rjust(28)
                + f"  {rating}/5 × {line.weight:.0f}%  {part}\n"
            )
        if d.score.score is not None:
            score.append(
                f"{'score':>28}  {d.score.score:.2f}  →  computed tier {d.score.computed_tier}\n",
                style="bold",
            )
        else:
            score.append(S.UNSCORED.format(missing=", ".join(d.score.missing)) + "\n", style="bold")
        if v.pinned_tier:
            score.append_text(
                text(
                    S.PINNED.format(
                        tier=v.pinned_tier,
                        reason=v.pin_reason,
                        computed=d.score.computed_tier or "–",
                    )
                )
            )
            score.append("\n")
        if d.rfm:
            score.append(f"{'RFM':>28}  R {d.rfm.r} · F {d.rfm.f} · M {d.rfm.m}")
        self._section("score", S.SECTION_SCORE, score)

        health = Text()
        health.append(
            f"{d.health.score}  {d.health.color}\n", style=f"bold {self._color(d.health.color)}"
        )
        for f in d.health.flags:
            health.append(f"  ⚑ {f.date.isoformat()}  ", style=self._color(f.severity))
            health.append_text(text(f.reason))
            health.append("\n")
        if not d.health.flags:
            health.append(f"  {S.NO_FLAGS}\n", style="dim")
        for m in d.health.measures:
            health.append(f"  {m.key:<13} {m.subscore:>3} × {m.weight:>2}%  ", style="dim")
            health.append_text(text(m.value))
            health.append("\n")
        self._section("health", S.SECTION_HEALTH, health)

        cov = Text()
        for w in d.coverage:
            cov.append("  ⚠ ", style=self._color("yellow"))
            cov.append_text(text(w["message"]))
            cov.append("\n")
        if not d.coverage:
            cov.append(f"  {S.NO_WARNINGS}\n", style="dim")
        by_role: dict[str, list] = {}
        for c in v.contacts:
            by_role.setdefault(c.role, []).append(c)
        for key, role in ROLES.items():
            cov.append(f"\n{role.label} {role.label_zh}", style="bold")
            cov.append(f"  — {role.cares}; bring {role.bring}\n", style="dim")
            for c in by_role.get(key, []):
                cov.append("    ")
                cov.append_text(text(c.name))
                cov.append("  ")
                cov.append_text(text(c.title, "dim"))
                cov.append(f"  {c.stance}", style=self._stance(c.stance))
                cov.append(f" · {c.influence} influence")
                if c.left_on:
                    cov.append(
                        "  " + S.LEFT_ON.format(date=c.left_on.isoformat()), style="dim strike"
                    )
                cov.append("\n")
        self._section("coverage", S.SECTION_COVERAGE, cov)

        deals = Text()
        for deal in v.deals:
            st = sop.stage(deal.stage)
            if deal.status != "open":
                deals.append("  ✗ ", style="dim")
                deals.append_text(text(deal.name, "dim"))
                deals.append(f"  lost at stage {deal.stage}\n", style="dim")
                continue
            deals.append("  ")
            deals.append(
                "".join("●" if n <= deal.stage else "○" for n in range(1, 6)) + "  ", style="bold"
            )
            deals.append_text(text(deal.name, "bold"))
            deals.append(
                f"  {deal.amount:,.0f} · stage {deal.stage} {st.label} · {deal.days_in_stage} days in stage\n"
            )
            for dl in st.deliverables:
                mark = "☑" if dl.key in deal.checked else "☐"
                deals.append(
                    f"      {mark} {dl.label} {dl.label_zh}\n",
                    style="" if dl.key in deal.checked else "dim",
                )
            if deal.next_step:
                deals.append("      next: ", style="dim")
                deals.append_text(text(deal.next_step))
                deals.append("\n")
        if not v.deals:
            deals.append(f"  {S.NONE}\n", style="dim")
        self._section("deals", S.SECTION_DEALS, deals)

        tasks = Text()
        for _tid, title_, due in v.tasks:
            tasks.append(f"  ☐ {due.isoformat()}  ", style="bold" if due < self.today else "")
            tasks.append_text(text(title_))
            tasks.append("\n")
        if not v.tasks:
            tasks.append(f"  {S.NONE}\n", style="dim")
        self._section("tasks", S.SECTION_TASKS, tasks)

        tl = Text()
        for e in v.timeline:
            tl.append(f"  {e.on.isoformat()}  {e.kind:<8} ", style="dim")
            if e.executive:
                tl.append("★ ", style="bold")
            tl.append_text(text(e.text))
            tl.append("\n")
        self._section("timeline", S.SECTION_TIMELINE, tl)
        self.query_one("#account-sections", Static).update(Group(*self._sections))

    def section_text(self, key: str) -> str:
        """The plain text of one section, as shown (for tests and copy-paste)."""
        return self._plain.get(key, "")

    def _section(self, key: str, heading: str, body: Text) -> None:
        self._plain[key] = heading + "\n" + body.plain
        self._sections += [Text(heading, style="bold underline"), body, Text("")]

    def _color(self, name: str) -> str:
        variables = self.app.get_css_variables()
        return {
            "green": variables.get("success", "green"),
            "yellow": variables.get("warning", "yellow"),
            "red": variables.get("error", "red"),
            "info": variables.get("secondary", "blue"),
        }.get(name, "")

    def _stance(self, stance: str) -> str:
        return self._color(
            {
                "champion": "green",
                "supporter": "green",
                "neutral": "",
                "skeptic": "yellow",
                "blocker": "red",
            }[stance]
        )
