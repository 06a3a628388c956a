"""One account in one place (the 360° view): profile, score, health, decision map,
deals with their stage and missing deliverables, timeline and tasks."""

from __future__ import annotations

from datetime import date

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from kamtui.domain import stages as sop
from kamtui.domain.account import PROFILE_FIELDS
from kamtui.domain.decision_map import ROLES
from kamtui.domain.errors import KamError
from kamtui.domain.tracks import TRACKS
from kamtui.services.book import AccountView, Book, DealView
from kamtui.ui import strings as S
from kamtui.ui.messages import AccountChanged, AccountLoaded
from kamtui.ui.safe import content, plain, text
from kamtui.ui.screens.account_form import AccountForm, FormData, FormValues
from kamtui.ui.screens.deal_moves import DealBrief, DealMoved, DealMoves
from kamtui.ui.screens.dialogs import (
    InteractionDialog,
    NewInteraction,
)
from kamtui.ui.screens.history import HistoryScreen, history_text

HISTORY_SHOWN = 15  # changes shown on the screen; h shows them all


class AccountScreen(DealMoves, Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="account.back"),
        Binding("backspace", "app.pop_screen", S.KEY_BACK, show=False),
        Binding(
            "right_square_bracket", "move(1)", S.KEY_ADVANCE, key_display="]", id="deal.advance"
        ),
        Binding(
            "left_square_bracket", "move(-1)", S.KEY_MOVE_BACK, key_display="[", id="deal.back"
        ),
        Binding("x", "close_lost", S.KEY_LOST, id="deal.lost"),
        Binding("l", "log_interaction", S.KEY_LOG, id="account.log"),
        Binding("ctrl+r", "reload", S.KEY_RELOAD, id="account.reload"),
        Binding("e", "edit", S.KEY_EDIT, id="account.edit"),
        Binding("h", "history", S.KEY_HISTORY, id="account.history"),
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
            yield OptionList(id="deal-list")
            yield SelectionList[str](id="deliverables")
            yield Static(id="account-sections")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def action_reload(self) -> None:
        """Show what other windows or processes saved meanwhile."""
        self.load()

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def load(self) -> None:
        self.post_message(AccountLoaded(self.book.account_view(self.account_id, self.today)))

    def on_account_loaded(self, message: AccountLoaded) -> None:
        self._sections = []
        v = self.view = message.view
        self._show_deals(v)
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

        changes = history_text(v.history[:HISTORY_SHOWN], model)
        if len(v.history) > HISTORY_SHOWN:
            changes.append(f"  {S.HISTORY_MORE.format(n=len(v.history) - HISTORY_SHOWN)}\n")
        self._section("history", S.SECTION_HISTORY, changes)

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

    # ---- deals: the SOP stepper and its deliverables ----------------------------------------
    @property
    def open_deals(self) -> list[DealView]:
        return [d for d in self.view.deals if d.status == "open"] if self.view else []

    @property
    def current_deal(self) -> DealView | None:
        deals = self.open_deals
        index = self.query_one("#deal-list", OptionList).highlighted
        if not deals:
            return None
        return deals[index] if index is not None and index < len(deals) else deals[0]

    def _show_deals(self, v: AccountView) -> None:
        deal_list = self.query_one("#deal-list", OptionList)
        keep = deal_list.highlighted
        deal_list.clear_options()
        for d in self.open_deals:
            st = sop.stage(d.stage)
            steps = "".join("●" if n <= d.stage else "○" for n in range(1, 6))
            label = S.DEAL_OPTION.format(
                steps=steps, name=plain(d.name), amount=f"{d.amount:,.0f}", stage=d.stage,
                label=st.label, days=d.days_in_stage,
            )  # fmt: skip
            deal_list.add_option(Option(Text(label), id=f"deal-{d.id}"))
        if self.open_deals:
            deal_list.highlighted = min(keep or 0, len(self.open_deals) - 1)
        deal_list.display = bool(self.open_deals)
        self._show_deliverables()

    def _show_deliverables(self) -> None:
        checklist = self.query_one("#deliverables", SelectionList)
        keep = checklist.highlighted
        checklist.clear_options()
        deal = self.current_deal
        checklist.display = deal is not None
        if deal is None:
            return
        for item in sop.stage(deal.stage).deliverables:
            checklist.add_option(
                (f"{item.label} {item.label_zh}", item.key, item.key in deal.checked)
            )
        checklist.highlighted = min(keep, checklist.option_count - 1) if keep is not None else 0
        checklist.border_title = (
            f"{S.SECTION_DELIVERABLES} {deal.stage}: {sop.stage(deal.stage).label}"
        )

    @on(OptionList.OptionHighlighted, "#deal-list")
    def _deal_highlighted(self) -> None:
        self._show_deliverables()

    @on(SelectionList.SelectionToggled, "#deliverables")
    def _deliverable_toggled(self, event: SelectionList.SelectionToggled) -> None:  # type: ignore[type-arg]
        deal = self.current_deal
        if deal is not None:
            key = str(event.selection.value)
            self.write_check(deal.id, key, key in event.selection_list.selected)

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_check(self, deal_id: int, key: str, done: bool) -> None:
        self.book.check_deliverable(deal_id, key, done, self.today)
        self.post_message(AccountChanged(""))

    def deal_brief(self, deal_id: int) -> DealBrief | None:
        deal = next((d for d in self.open_deals if d.id == deal_id), None)
        return DealBrief(deal.id, deal.name, deal.stage, deal.version) if deal else None

    def action_move(self, direction: int) -> None:
        deal = self.current_deal
        if deal is None:
            self.notify(S.NO_OPEN_DEAL, markup=False)
            return
        self.move_deal(DealBrief(deal.id, deal.name, deal.stage, deal.version), direction)

    def action_close_lost(self) -> None:
        deal = self.current_deal
        if deal is None:
            self.notify(S.NO_OPEN_DEAL, markup=False)
            return
        self.close_deal_lost(DealBrief(deal.id, deal.name, deal.stage, deal.version))

    def on_deal_moved(self, message: DealMoved) -> None:
        self.post_message(AccountChanged(message.note, message.error))

    # ---- logging a touch ----------------------------------------------------------------------
    def action_log_interaction(self) -> None:
        contacts = [(c.id, c.name) for c in self.view.contacts if c.active] if self.view else []

        def done(entry: NewInteraction | None) -> None:
            if entry is not None:
                self.write_interaction(entry)

        self.app.push_screen(InteractionDialog(self.today, contacts), done)

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_interaction(self, entry: NewInteraction) -> None:
        try:
            self.book.log_interaction(
                self.account_id, self.today, kind=entry.kind, on=entry.on, summary=entry.summary,
                executive=entry.executive, contact_id=entry.contact_id,
            )  # fmt: skip
        except KamError as e:
            self.post_message(AccountChanged(str(e), error=True))
            return
        self.post_message(
            AccountChanged(
                S.INTERACTION_LOGGED.format(kind=S.kind_name(entry.kind), on=entry.on.isoformat())
            )
        )

    def on_account_changed(self, message: AccountChanged) -> None:
        if message.note:
            self.notify(
                plain(message.note),
                markup=False,
                severity="error" if message.error else "information",
            )
        self.load()

    def action_history(self) -> None:
        """Every recorded change to the account, newest first."""
        if self.view is not None:
            title = S.HISTORY_TITLE.format(name=plain(self.view.profile["name"]))
            self.app.push_screen(HistoryScreen(title, self.view.history, self.book.config.model))

    # ---- editing the profile and ratings ------------------------------------------------------
    def action_edit(self) -> None:
        if self.view is not None:
            self.app.push_screen(edit_form(self.book, self.today, self.view), self._edited)

    def _edited(self, saved: bool | None) -> None:
        if saved:
            self.load()


def form_data(view: AccountView) -> FormData:
    """What the edit form shows of an account."""
    return FormData(
        {k: view.profile.get(k) for k in PROFILE_FIELDS},
        {line.key: line.rating for line in view.derived.score.breakdown},
        view.version,
    )


def edit_form(book: Book, today: date, view: AccountView) -> AccountForm:
    """The form for one account, carrying the version it was opened at: a save from a
    stale view is refused, then reloaded or re-applied (which moves the version on)."""
    data = form_data(view)

    def save(form: FormValues) -> None:
        book.update_account(
            view.id, today, fields=form.fields, ratings=form.ratings, seen_version=form.version
        )

    return AccountForm(
        S.FORM_EDIT.format(name=plain(view.profile["name"])),
        book.config.model,
        data.values,
        data.ratings,
        save,
        version=data.version,
        reload=lambda: form_data(book.account_view(view.id, today)),
    )
