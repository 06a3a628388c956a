"""One account in one place (the 360° view), in tabs: profile and score, decision map,
deals with their stage and deliverables, timeline, health, tasks and history.

Only the tab shown is laid out, so opening an account stays quick however long its
timeline. Keys that act on one tab (``]`` on a deal, ``a`` to add a contact or a task)
show in the footer only while that tab is shown.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode
from textual.worker import Worker

from kamtui.domain import stages as sop
from kamtui.domain.account import PROFILE_FIELDS
from kamtui.domain.decision_map import ROLES, Contact, OrgNode, org_chart
from kamtui.domain.errors import InputError, KamError
from kamtui.domain.scoring import TIERS
from kamtui.domain.tracks import TRACKS
from kamtui.services.book import AccountView, Book, DealView, TaskView
from kamtui.ui import cells
from kamtui.ui import strings as S
from kamtui.ui.messages import AccountChanged, AccountLoaded
from kamtui.ui.read_only import HidesWrites
from kamtui.ui.safe import content, plain, text
from kamtui.ui.screens.account_form import AccountForm
from kamtui.ui.screens.contact_form import ContactForm
from kamtui.ui.screens.deal_form import DealForm
from kamtui.ui.screens.deal_moves import DealBrief, DealMoved, DealMoves
from kamtui.ui.screens.dialogs import (
    InteractionDialog,
    NewInteraction,
    NewTask,
    PickDialog,
    ReasonDialog,
    TaskDialog,
)
from kamtui.ui.screens.form import FormData, FormValues
from kamtui.ui.screens.history import HistoryScreen, history_text
from kamtui.ui.widgets.checklist import Checklist, Item
from kamtui.ui.widgets.footer import KeyFooter
from kamtui.ui.widgets.pick_list import PickList
from kamtui.ui.widgets.tab_strip import TabStrip

KINDS = ("call", "email", "meeting", "visit")  # of an interaction
HISTORY_SHOWN = 15  # changes shown in the History tab; h shows them all
TABS = ("profile", "map", "deals", "timeline", "health", "tasks", "history")


def tab_titles() -> tuple[str, ...]:
    """The tabs' titles, read from the catalog when the screen is composed."""
    return (S.TAB_PROFILE, S.TAB_MAP, S.TAB_DEALS, S.TAB_TIMELINE, S.TAB_HEALTH, S.TAB_TASKS,
            S.TAB_HISTORY)  # fmt: skip


TAB_ACTIONS = {  # actions that belong to one tab: keys shown and working only there
    "move": "deals",
    "close_lost": "deals",
    "add_deal": "deals",
    "tick_deliverable": "deals",
    "add_contact": "map",
    "move_role": "map",
    "mark_left": "map",
    "reports_to": "map",
    "org_chart": "map",
    "add_task": "tasks",
    "complete_task": "tasks",
    "reopen_task": "tasks",
}
PROFILE_SHOWN = (
    "industry", "segment", "region", "annual_revenue", "employees", "branches", "tech_maturity",
    "financial_health", "status", "owner", "pain_points", "last_touch", "last_exec_touch",
)  # fmt: skip


class AccountScreen(HidesWrites, DealMoves, Screen[None]):
    WRITES = frozenset({
        "move", "close_lost", "add_deal", "add_contact", "move_role", "mark_left", "reports_to",
        "add_task", "complete_task", "reopen_task", "log_interaction", "edit", "pin_tier",
    })  # fmt: skip
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="account.back"),
        Binding("backspace", "app.pop_screen", S.KEY_BACK, show=False),
        *(
            Binding(str(n), f"show_tab('{tab}')", S.KEY_TABS, key_display="1–7", show=n == 1)
            for n, tab in enumerate(TABS, 1)
        ),
        Binding(
            "right_square_bracket", "move(1)", S.KEY_ADVANCE, key_display="]", id="deal.advance"
        ),
        Binding(
            "left_square_bracket", "move(-1)", S.KEY_MOVE_BACK, key_display="[", id="deal.back"
        ),
        Binding("x", "close_lost", S.KEY_LOST, id="deal.lost"),
        Binding("a", "add_deal", S.KEY_ADD_DEAL, id="deal.add"),
        Binding("a", "add_contact", S.KEY_ADD_CONTACT, id="contact.add"),
        Binding("m", "move_role", S.KEY_MOVE_ROLE, id="contact.role"),
        Binding("L", "mark_left", S.KEY_MARK_LEFT, id="contact.left"),
        Binding("r", "reports_to", S.KEY_REPORTS_TO, id="contact.reports_to"),
        Binding("o", "org_chart", S.KEY_ORG_CHART, id="contact.org_chart"),
        Binding("a", "add_task", S.KEY_ADD_TASK, id="task.add"),
        Binding("space", "complete_task", S.KEY_TICK, id="task.done"),
        Binding("space", "tick_deliverable", S.KEY_TICK_DELIVERABLE, id="deal.tick"),
        Binding("u", "reopen_task", S.KEY_UNTICK, id="task.undone"),
        Binding("l", "log_interaction", S.KEY_LOG, id="account.log"),
        Binding("e", "edit", S.KEY_EDIT, id="account.edit"),
        Binding("t", "pin_tier", S.KEY_PIN, id="account.pin"),
        Binding("h", "history", S.KEY_HISTORY, id="account.history"),
        Binding("ctrl+r", "reload", S.KEY_RELOAD, id="account.reload", show=False),
    ]

    def __init__(self, book: Book, today: date, account_id: int, tab: str = "profile") -> None:
        super().__init__()
        self.book = book
        self.today = today
        self.account_id = account_id
        self.tab = tab if tab in TABS else "profile"  # the tab shown
        self.view: AccountView | None = None
        self.org_view = False  # the decision map as an org chart (else grouped by role)
        self._built: set[str] = set()  # tabs whose widgets are mounted
        self._plain: dict[str, str] = {}  # each section's text
        self._bodies: dict[str, Group] = {}  # what each tab's Static shows
        self._coverage = Text()
        self._palette: dict[str, str] = {}
        self._palette_theme = ""
        self._map: list[tuple[int, Text, int | None]] = []
        self._tasks: list[Text] = []
        self._checklist_of: tuple[int, int] | None = None  # the deal and stage it shows
        self._tasks_note = Text()  # the weekly plan's items of the account put off

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield TabStrip(list(zip(TABS, tab_titles(), strict=True)), self.tab, id="account-tabs")
        yield Container(id="pages")  # a page per tab, mounted the first time it is shown
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.load()
        await self._build(self.tab)
        self._focus_tab(self.tab)

    def _widgets(self, tab: str) -> list[Widget]:
        """What one tab holds."""
        if tab == "map":
            return [Static(id="coverage"), Tree[int]("", id="contacts")]
        if tab == "tasks":
            return [Static(id="tasks-note"), OptionList(id="task-list")]
        if tab == "deals":
            inside: list[Widget] = [
                PickList(id="deal-list"), Checklist(id="deliverables"),
                Static(id="deals-body"),
            ]  # fmt: skip
        else:
            inside = [Static(id=f"{tab}-body")]
        return [VerticalScroll(*inside, classes="account-pane")]

    async def _build(self, tab: str) -> None:
        """Mount a tab's widgets the first time it is shown: opening an account lays out
        one tab, not seven."""
        if tab in self._built:
            return
        self._built.add(tab)
        page = Vertical(*self._widgets(tab), id=f"page-{tab}", classes="page")
        await self.query_one("#pages").mount(page)
        if tab == "map":
            self.query_one("#contacts", Tree).show_root = False
        if self.view is not None:
            self._paint(tab)

    # ---- tabs ---------------------------------------------------------------------------------
    async def action_show_tab(self, tab: str) -> None:
        if tab != self.tab:
            self.tab = tab
            self.query_one(TabStrip).active = tab
            await self._build(tab)
            for page in self.query(".page"):
                page.display = page.id == f"page-{tab}"
            self.refresh_bindings()
        self._focus_tab(tab)

    @on(TabStrip.Chosen)
    async def _tab_clicked(self, event: TabStrip.Chosen) -> None:
        await self.action_show_tab(event.tab)

    def _focus_tab(self, tab: str) -> None:
        if tab not in self._built:
            return
        target = {"map": "#contacts", "deals": "#deal-list", "tasks": "#task-list"}.get(tab)
        if target is None or not self.query_one(target).display:
            scrolls = self.query_one(f"#page-{tab}").query(VerticalScroll)
            if scrolls:
                scrolls.first().focus()
            return
        self.query_one(target).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = TAB_ACTIONS.get(action)
        if tab is not None and tab != self.tab:
            return False
        if action == "tick_deliverable" and not self.open_deals:
            return None  # shown, dimmed: no open deal to tick
        return super().check_action(action, parameters)

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """An account that could not be read says so in place of its name; a change that
        failed shows the account as it is again (a deliverable ticked on screen, say)."""
        if worker.group == "account" and self.view is None:
            self.query_one("#title", Static).update(content(message))
        elif worker.group in ("account-write", "deal-move"):
            self.load()

    # ---- loading ------------------------------------------------------------------------------
    def action_reload(self) -> None:
        """Show what other windows or processes saved meanwhile."""
        self.load()

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def load(self) -> None:
        self.post_message(AccountLoaded(self.book.account_view(self.account_id, self.today)))

    def on_account_loaded(self, message: AccountLoaded) -> None:
        v = self.view = message.view
        p = v.profile
        tier = v.derived.tier or S.UNSCORED_TIER
        track = TRACKS.get(p["track"])
        track_name = S.track_name(track) if track else p["track"]
        self.query_one("#title", Static).update(
            content(f"{p['name']}  ·  {tier}  ·  {track_name}  ·  {p['owner']}")
        )
        self._show(
            "#profile-body", ("profile", S.SECTION_PROFILE, self._profile(v)),
            ("score", S.SECTION_SCORE, self._score(v)),
        )  # fmt: skip
        self._show("#deals-body", ("deals", S.SECTION_DEALS, self._deals(v)))
        self._show("#timeline-body", ("timeline", S.SECTION_TIMELINE, self._timeline(v)))
        self._show("#health-body", ("health", S.SECTION_HEALTH, self._health(v)))
        names = {c.id: c.name for c in v.contacts}
        changes = history_text(v.history[:HISTORY_SHOWN], self.book.config.model, names)
        if len(v.history) > HISTORY_SHOWN:
            changes.append(f"  {S.HISTORY_MORE.format(n=len(v.history) - HISTORY_SHOWN)}\n")
        self._show("#history-body", ("history", S.SECTION_HISTORY, changes))
        self._map_text(v)
        self._tasks_text(v)
        for tab in self._built:
            self._paint(tab)
        if self.focused is None:
            self._focus_tab(self.tab)
        self.refresh_bindings()

    def _paint(self, tab: str) -> None:
        """Show the loaded account in one built tab."""
        v = self.view
        assert v is not None
        for target, body in self._bodies.items():
            if target.startswith(f"#{tab}-"):
                self.query_one(target, Static).update(body)
        if tab == "map":
            self.query_one("#coverage", Static).update(self._coverage)
            self._fill_tree(v)
        elif tab == "deals":
            self._show_deals(v)
        elif tab == "tasks":
            self._show_tasks(v)

    def section_text(self, key: str) -> str:
        """The plain text of one section, as shown (for tests and copy-paste)."""
        return self._plain.get(key, "")

    def _show(self, target: str, *sections: tuple[str, str, Text]) -> None:
        parts: list[Text] = []
        for key, heading, body in sections:
            self._plain[key] = heading + "\n" + body.plain
            parts += [Text(heading, style="bold underline"), body, Text("")]
        self._bodies[target] = Group(*parts)

    def _color(self, name: str) -> str:
        """A colour of the theme (read once per theme: working the theme out is not cheap)."""
        if self._palette_theme != self.app.theme:
            variables = self.app.get_css_variables()
            self._palette = {
                "green": variables.get("success", "green"),
                "yellow": variables.get("warning", "yellow"),
                "red": variables.get("error", "red"),
                "info": variables.get("secondary", "blue"),
            }
            self._palette_theme = self.app.theme
        return self._palette.get(name, "")

    def _stance(self, stance: str) -> str:
        return self._color(
            {"champion": "green", "supporter": "green", "skeptic": "yellow", "blocker": "red"}.get(
                stance, ""
            )
        )

    # ---- profile and score --------------------------------------------------------------------
    def _profile(self, v: AccountView) -> Text:
        out = Text()
        track = TRACKS.get(v.profile["track"])
        width = cells.widest([S.field_label(k) for k in (*PROFILE_SHOWN, "track")])
        for key in PROFILE_SHOWN:
            value = v.profile.get(key)
            if key == "annual_revenue" and value is not None:
                value = f"{value:,.0f}"
            elif key == "status" and value:
                value = S.word("STATUS", value)
            out.append(cells.right(S.field_label(key), width) + "  ", style="dim")
            out.append_text(text("–" if value in (None, "") else value))
            out.append("\n")
        if track:
            out.append(cells.right(S.field_label("track"), width) + "  ", style="dim")
            out.append(S.TRACK_PLAY.format(label=S.track_name(track), play=S.track_play(track)))
        return out

    def _score(self, v: AccountView) -> Text:
        d = v.derived
        out = Text()
        model = self.book.config.model
        labels = {c.key: S.both(c.label, c.label_zh) for c in model.criteria}
        width = cells.widest(list(labels.values()))
        for line in d.score.breakdown:
            rating = "–" if line.rating is None else str(line.rating)
            part = "" if line.contribution is None else f"{line.contribution:.2f}"
            out.append(
                cells.right(labels.get(line.key, line.key), width)
                + f"  {rating}/5 × {line.weight:.0f}%  {part}\n"
            )
        if d.score.score is not None:
            line_ = S.SCORE_LINE.format(score=f"{d.score.score:.2f}", tier=d.score.computed_tier)
            out.append(" " * width + f"  {line_}\n", style="bold")
        else:
            out.append(S.UNSCORED.format(missing=", ".join(d.score.missing)) + "\n", style="bold")
        if v.pinned_tier:
            out.append_text(
                text(
                    S.PINNED.format(
                        tier=v.pinned_tier, reason=v.pin_reason,
                        computed=d.score.computed_tier or "–",
                    )
                )
            )  # fmt: skip
            out.append("\n")
        if d.rfm:
            out.append(" " * width + "  " + S.RFM_LINE.format(r=d.rfm.r, f=d.rfm.f, m=d.rfm.m))
        return out

    # ---- health -------------------------------------------------------------------------------
    def _health(self, v: AccountView) -> Text:
        h = v.derived.health
        out = Text()
        out.append(f"{h.score}  {S.word('COLOR', h.color)}\n", style=f"bold {self._color(h.color)}")
        for f in h.flags:
            out.append(f"  ⚑ {f.date.isoformat()}  ", style=self._color(f.severity))
            out.append_text(text(S.say(f.reason)))
            out.append("\n")
        if not h.flags:
            out.append(f"  {S.NO_FLAGS}\n", style="dim")
        put_off = v.snoozed("health")
        if put_off is not None:
            out.append(f"  ↷ {S.HEALTH_PUT_OFF.format(date=put_off.until.isoformat())}", "italic")
            out.append_text(text(f": {put_off.reason}" if put_off.reason else "", "italic"))
            out.append("\n")
        out.append(f"\n{S.MEASURES}\n", style="bold")
        width = cells.widest([S.word("MEASURE", m.key) for m in h.measures])
        for m in h.measures:
            out.append(
                f"  {cells.left(S.word('MEASURE', m.key), width)} {m.subscore:>3} × {m.weight:>2}%  ",
                style="dim",
            )
            out.append_text(text(S.say(m.value)))
            out.append("\n")
        return out

    # ---- timeline -----------------------------------------------------------------------------
    def _timeline(self, v: AccountView) -> Text:
        out = Text()
        kinds = {e.kind: S.kind_name(e.kind) if e.kind in KINDS else S.word("TIMELINE", e.kind)
                 for e in v.timeline}  # fmt: skip
        width = cells.widest(list(kinds.values()))
        for e in v.timeline:
            head = f"  {e.on.isoformat()}  {cells.left(kinds[e.kind], width)} "
            out.append(head, style="dim")
            if e.executive:
                out.append("★ ", style="bold")
            if e.kind not in KINDS:  # the book's own words (a won deal in bold)
                out.append_text(text(S.say(e.text), "bold" if e.kind == "won" else ""))
                out.append("\n")
                continue
            # an interaction's summary is the rep's own text, of one line or several
            first, *more = e.text.splitlines() or [""]
            out.append_text(text(first))
            out.append("\n")
            for line in more:
                out.append(" " * (cell_len(head) + (2 if e.executive else 0)))
                out.append_text(text(line))
                out.append("\n")
        if not v.timeline:
            out.append(f"  {S.NONE}\n", style="dim")
        return out

    # ---- the decision map ---------------------------------------------------------------------
    def _map_text(self, v: AccountView) -> None:
        cov = Text()
        for w in v.derived.coverage:
            cov.append("⚠ ", style=self._color("yellow"))
            cov.append_text(text(S.say(w["message"])))
            cov.append("\n")
        if not v.derived.coverage:
            cov.append(f"{S.NO_WARNINGS}\n", style="dim")
        cov.append(S.MAP_ORG_VIEW if self.org_view else S.MAP_ROLES_VIEW, style="dim italic")
        self._coverage = cov
        self._plain["coverage"] = S.SECTION_COVERAGE + "\n" + cov.plain
        self._map = self._map_lines(v)
        self._plain["map"] = "\n".join("  " * depth + label.plain for depth, label, _ in self._map)

    def _map_lines(self, v: AccountView) -> list[tuple[int, Text, int | None]]:
        """The decision map as (depth, label, contact id or None) lines, by role or as the
        org chart."""
        names = {c.id: c.name for c in v.contacts}
        lines: list[tuple[int, Text, int | None]] = []
        if not v.contacts:
            lines.append((0, Text(S.MAP_EMPTY, style="dim"), None))
        elif self.org_view:

            def add(node: OrgNode, depth: int) -> None:
                label = self._contact_label(node.contact, names, with_role=True)
                lines.append((depth, label, node.contact.id))
                for r in node.reports:
                    add(r, depth + 1)

            for top in org_chart(v.contacts):
                add(top, 0)
        else:
            by_role: dict[str, list[Contact]] = {}
            for c in v.contacts:
                by_role.setdefault(c.role, []).append(c)
            for key, role in ROLES.items():
                heading = Text(S.both(role.label, role.label_zh), style="bold")
                heading.append(
                    "  " + S.ROLE_CARES.format(cares=role.cares, bring=role.bring), style="dim"
                )
                lines.append((0, heading, None))
                lines += [(1, self._contact_label(c, names), c.id) for c in by_role.get(key, [])]
        return lines

    def _fill_tree(self, v: AccountView) -> None:
        tree = self.query_one("#contacts", Tree)
        keep = tree.cursor_node.data if tree.cursor_node is not None else None
        tree.clear()
        parents: list[TreeNode[int]] = [tree.root]
        for depth, label, contact_id in self._map:
            del parents[depth + 1 :]
            parents.append(parents[depth].add(label, data=contact_id, expand=True))
        for node in parents[0].children:
            self._close_leaves(node)
        self._put_cursor(tree, keep)

    def _close_leaves(self, node: TreeNode[int]) -> None:
        if not node.children:
            node.allow_expand = False
        for child in node.children:
            self._close_leaves(child)

    def _put_cursor(self, tree: Tree[int], contact_id: int | None) -> None:
        """Keep the cursor on the contact it was on (else on the first contact)."""
        first: int | None = None
        line = 0
        for node_line in range(tree.last_line + 1):
            node = tree.get_node_at_line(node_line)
            if node is None or node.data is None:
                continue
            if first is None:
                first = node_line
            if node.data == contact_id:
                line = node_line
                break
        else:
            line = first if first is not None else 0
        tree.cursor_line = line

    def _contact_label(self, c: Contact, names: dict[int, str], *, with_role: bool = False) -> Text:
        info = self.view.contact_info.get(c.id) if self.view else None
        label = text(c.name, "bold" if c.active else "dim strike")
        if c.title:
            label.append("  ")
            label.append_text(text(c.title, "dim"))
        if with_role:
            label.append(f"  [{S.role_name(ROLES[c.role])}]", style="italic")
        label.append("  ")
        label.append(S.stance_name(c.stance), style=self._stance(c.stance))
        label.append(" · " + S.INFLUENCE_LINE.format(influence=S.influence_name(c.influence)))
        last = info.last_contact if info else None
        label.append(
            "  " + (S.CONTACT_LAST.format(date=last.isoformat()) if last else S.CONTACT_NEVER),
            style="dim",
        )
        if c.reports_to in names and not with_role:
            label.append("  ")
            label.append_text(text(S.CONTACT_REPORTS.format(name=names[c.reports_to]), "dim"))
        if c.left_on:
            label.append("  " + S.LEFT_ON.format(date=c.left_on.isoformat()), style="dim")
        if c.planned_action:
            label.append("  ")
            label.append_text(text(S.CONTACT_ACTION.format(action=c.planned_action), "italic"))
        return label

    @property
    def current_contact(self) -> Contact | None:
        if "map" not in self._built:
            return None
        tree = self.query_one("#contacts", Tree)
        node = tree.cursor_node
        if self.view is None or node is None or node.data is None:
            return None
        return next((c for c in self.view.contacts if c.id == node.data), None)

    def _chosen_contact(self) -> Contact | None:
        if not self._writable():
            return None
        contact = self.current_contact
        if contact is None:
            self.notify(S.NO_CONTACT, markup=False)
        return contact

    def action_org_chart(self) -> None:
        self.org_view = not self.org_view
        if self.view is not None:
            self._map_text(self.view)
            self._paint("map")

    def action_add_contact(self) -> None:
        if self.view is None or not self._writable():
            return
        book, today, aid = self.book, self.today, self.account_id

        def save(form: FormValues) -> None:
            book.add_contact(aid, today, **form.fields)

        managers = [(c.id, c.name) for c in self.view.contacts]
        form = ContactForm(
            S.CONTACT_NEW.format(account=plain(self.view.profile["name"])), {}, managers, save
        )
        self.app.push_screen(form, self._saved_contact)

    @on(Tree.NodeSelected, "#contacts")
    def _contact_selected(self, event: Tree.NodeSelected[int]) -> None:
        if event.node.data is not None:
            self.edit_contact(event.node.data)

    def edit_contact(self, contact_id: int) -> None:
        if self.view is None or not self._writable():
            return
        contact = next((c for c in self.view.contacts if c.id == contact_id), None)
        if contact is None or contact_id not in self.view.contact_info:
            return
        book, today, aid = self.book, self.today, self.account_id

        def save(form: FormValues) -> None:
            book.update_contact(contact_id, today, form.fields, seen_version=form.version)

        data = contact_data(self.view, contact_id)
        managers = [(c.id, c.name) for c in self.view.contacts if c.id != contact_id]
        form = ContactForm(
            S.CONTACT_EDIT.format(name=plain(contact.name)), data.values, managers, save,
            version=data.version,
            reload=lambda: contact_data(book.account_view(aid, today), contact_id),
        )  # fmt: skip
        self.app.push_screen(form, self._saved_contact)

    def _saved_contact(self, saved: bool | None) -> None:
        if saved:
            self.load()

    def action_move_role(self) -> None:
        contact = self._chosen_contact()
        if contact is None:
            return
        options = [(S.both(r.label, r.label_zh), k) for k, r in ROLES.items()]

        def done(role: str | None) -> None:
            if role and role != contact.role:
                note = S.CONTACT_MOVED.format(name=contact.name, role=S.role_name(ROLES[role]))
                self.write_contact(contact.id, {"role": role}, note)

        self.app.push_screen(
            PickDialog(S.PICK_ROLE.format(name=plain(contact.name)), options, contact.role), done
        )

    def action_mark_left(self) -> None:
        contact = self._chosen_contact()
        if contact is None:
            return
        if contact.left_on is None:
            note = S.CONTACT_LEFT.format(name=contact.name, date=self.today.isoformat())
            self.write_contact(contact.id, {"left_on": self.today}, note)
        else:
            self.write_contact(
                contact.id, {"left_on": None}, S.CONTACT_BACK.format(name=contact.name)
            )

    def action_reports_to(self) -> None:
        contact = self._chosen_contact()
        if contact is None or self.view is None:
            return
        options = [(S.NOBODY, "")] + [
            (plain(c.name) + (f"  {c.title}" if c.title else ""), str(c.id))
            for c in self.view.contacts
            if c.id != contact.id
        ]
        names = {c.id: c.name for c in self.view.contacts}
        current = str(contact.reports_to) if contact.reports_to else ""

        def done(key: str | None) -> None:
            if key is None or key == current:
                return
            boss = int(key) if key else None
            note = (
                S.CONTACT_REPORTS_SET.format(name=contact.name, boss=names[boss]) if boss
                else S.CONTACT_REPORTS_NONE.format(name=contact.name)
            )  # fmt: skip
            self.write_contact(contact.id, {"reports_to": boss}, note)

        self.app.push_screen(
            PickDialog(S.PICK_BOSS.format(name=plain(contact.name)), options, current), done
        )

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_contact(self, contact_id: int, fields: dict[str, Any], note: str) -> None:
        version = self.view.contact_info[contact_id].version if self.view else None
        try:
            self.book.update_contact(contact_id, self.today, fields, seen_version=version)
        except KamError as e:
            self.post_message(AccountChanged(str(e), error=True))
            return
        self.post_message(AccountChanged(note))

    # ---- deals: the SOP stepper and its deliverables ------------------------------------------
    def _deals(self, v: AccountView) -> Text:
        out = Text()
        for deal in v.deals:
            st = sop.stage(deal.stage)
            if deal.status != "open":
                out.append("  ✗ ", style="dim")
                out.append_text(text(deal.name, "dim"))
                out.append("  " + S.DEAL_LOST_AT.format(stage=deal.stage), style="dim")
                if deal.won_on is not None:
                    out.append("  · " + self._won(deal), style="dim")
                out.append("\n")
            else:
                out.append("  ")
                out.append(
                    "".join("●" if n <= deal.stage else "○" for n in range(1, 6)) + "  ",
                    style="bold",
                )
                out.append_text(text(deal.name, "bold"))
                out.append(
                    "  " + S.DEAL_LINE.format(
                        amount=f"{deal.amount:,.0f}", stage=deal.stage, label=S.stage_name(deal.stage),
                        days=deal.days_in_stage,
                    ) + "\n"
                )  # fmt: skip
                if deal.won_on is not None:
                    out.append(f"      ✓ {self._won(deal)}\n", style=f"bold {self._color('green')}")
                for dl in st.deliverables:
                    done = dl.key in deal.checked
                    out.append(
                        f"      {'☑' if done else '☐'} {S.both(dl.label, dl.label_zh)}\n",
                        style="" if done else "dim",
                    )
                if deal.next_step:
                    out.append("      ")
                    out.append_text(text(S.DEAL_NEXT.format(step=deal.next_step), "dim"))
                    out.append("\n")
            for change in deal.history:
                out.append("      " + self._stage_change(change) + "\n", style="dim")
        if not v.deals:
            out.append(f"  {S.DEALS_EMPTY}\n", style="dim")
        return out

    @staticmethod
    def _won(deal: DealView) -> str:
        said = S.DEAL_WON_FORCED if deal.won_forced else S.DEAL_WON
        amount = deal.won_amount if deal.won_amount is not None else deal.amount
        return said.format(
            date=deal.won_on.isoformat() if deal.won_on else "", amount=f"{amount:,.0f}"
        )

    @staticmethod
    def _stage_change(change: sop.StageChange) -> str:
        on = change.on.isoformat()
        if change.lost:
            line = S.STAGE_CHANGE_LOST.format(on=on, frm=change.from_stage)
        elif change.from_stage is None:
            line = S.STAGE_CHANGE_CREATED.format(on=on, to=change.to_stage)
        else:
            line = S.STAGE_CHANGE.format(on=on, frm=change.from_stage, to=change.to_stage)
        if sop.wins(change):
            line += f"  {S.STAGE_WON}"
        if change.forced:
            line += f"  ({S.STAGE_FORCED})"
        if change.reason:
            line += f"  {plain(change.reason)}"
        return line

    @property
    def open_deals(self) -> list[DealView]:
        return [d for d in self.view.deals if d.status == "open"] if self.view else []

    @property
    def current_deal(self) -> DealView | None:
        deals = self.open_deals
        if not deals:
            return None
        if "deals" not in self._built:
            return deals[0]
        index = self.query_one("#deal-list", OptionList).highlighted
        return deals[index] if index is not None and index < len(deals) else deals[0]

    def _show_deals(self, v: AccountView) -> None:
        deal_list = self.query_one("#deal-list", OptionList)
        keep = deal_list.highlighted
        deal_list.clear_options()
        for d in self.open_deals:
            steps = "".join("●" if n <= d.stage else "○" for n in range(1, 6))
            label = S.DEAL_OPTION.format(
                steps=steps, name=plain(d.name), amount=f"{d.amount:,.0f}", stage=d.stage,
                label=S.stage_name(d.stage), days=d.days_in_stage,
            )  # fmt: skip
            if d.won_on is not None:
                label += "  " + S.DEAL_WON_SHORT.format(date=d.won_on.isoformat())
            deal_list.add_option(Option(Text(label), id=f"deal-{d.id}"))
        if self.open_deals:
            deal_list.highlighted = min(keep or 0, len(self.open_deals) - 1)
        deal_list.display = bool(self.open_deals)
        self._show_deliverables()

    def _show_deliverables(self) -> None:
        """The selected deal's current-stage checklist; the cursor stays where it was on
        the same deal and stage, else goes to the first deliverable not ticked."""
        checklist = self.query_one("#deliverables", Checklist)
        deal = self.current_deal
        checklist.display = deal is not None
        if deal is None:
            return
        items = [
            Item(d.key, S.both(d.label, d.label_zh), d.key in deal.checked)
            for d in sop.stage(deal.stage).deliverables
        ]
        shown, self._checklist_of = self._checklist_of, (deal.id, deal.stage)
        checklist.show(items, keep=shown == self._checklist_of)
        checklist.border_title = (
            f"{S.SECTION_DELIVERABLES} {deal.stage}: {S.stage_name(deal.stage)}"
        )
        checklist.border_subtitle = S.DELIVERABLES_HINT

    @on(OptionList.OptionHighlighted, "#deal-list")
    def _deal_highlighted(self) -> None:
        self._show_deliverables()

    def action_tick_deliverable(self) -> None:
        """Space on the Deals tab: tick or untick the deliverable under the ``›`` of the
        selected deal's checklist (wherever the focus is on the tab)."""
        if not self._writable() or "deals" not in self._built:
            return
        if self.current_deal is None:
            self.notify(S.NO_OPEN_DEAL, markup=False)
            return
        self.query_one("#deliverables", Checklist).action_tick()

    @on(Checklist.Toggled, "#deliverables")
    def _deliverable_toggled(self, event: Checklist.Toggled) -> None:
        deal = self.current_deal
        if deal is not None and self._writable():
            self.write_check(deal.id, event.key, event.checked)

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_check(self, deal_id: int, key: str, done: bool) -> None:
        self.book.check_deliverable(deal_id, key, done, self.today)
        self.post_message(AccountChanged(""))

    def _brief(self, deal: DealView) -> DealBrief:
        account = self.view.profile["name"] if self.view else ""
        return DealBrief(deal.id, deal.name, deal.stage, deal.version, account)

    def deal_brief(self, deal_id: int) -> DealBrief | None:
        deal = next((d for d in self.open_deals if d.id == deal_id), None)
        return self._brief(deal) if deal else None

    def action_move(self, direction: int) -> None:
        if not self._writable():
            return
        deal = self.current_deal
        if deal is None:
            self.notify(S.NO_OPEN_DEAL, markup=False)
            return
        self.move_deal(self._brief(deal), direction)

    def action_close_lost(self) -> None:
        if not self._writable():
            return
        deal = self.current_deal
        if deal is None:
            self.notify(S.NO_OPEN_DEAL, markup=False)
            return
        self.close_deal_lost(self._brief(deal))

    def on_deal_moved(self, message: DealMoved) -> None:
        self.post_message(AccountChanged(message.note, message.error))

    def action_add_deal(self) -> None:
        if self.view is None or not self._writable():
            return
        book, today, aid = self.book, self.today, self.account_id

        def save(form: FormValues) -> None:
            book.add_deal(aid, today, **form.fields)

        title = S.DEAL_NEW.format(account=plain(self.view.profile["name"]))
        self._deal_form(DealForm(title, {}, save), S.DEAL_ADDED)

    @on(OptionList.OptionSelected, "#deal-list")
    def edit_deal(self) -> None:
        """Enter (or a second click) on a deal: change its name, amount, expected close and
        next step."""
        deal = self.current_deal
        if deal is None or not self._writable():
            return
        book, today = self.book, self.today

        def save(form: FormValues) -> None:
            book.update_deal(deal.id, today, form.fields, seen_version=form.version)

        data, aid = deal_data(self.view, deal.id), self.account_id  # type: ignore[arg-type]
        form = DealForm(
            S.DEAL_EDIT.format(deal=plain(deal.name)), data.values, save, version=data.version,
            reload=lambda: deal_data(book.account_view(aid, today), deal.id),
        )  # fmt: skip
        self._deal_form(form, S.DEAL_SAVED)

    def _deal_form(self, form: DealForm, note: str) -> None:
        def saved(done: bool | None) -> None:
            if done:
                self.post_message(AccountChanged(note.format(deal=form.saved_name)))

        self.app.push_screen(form, saved)

    # ---- tasks --------------------------------------------------------------------------------
    def _tasks_text(self, v: AccountView) -> None:
        """Open tasks (overdue ones marked, those put off in the weekly plan with their
        day), then those done lately, which ``u`` ticks open again."""
        self._tasks = []
        for t in v.tasks:
            late = t.done_on is None and t.due < self.today
            box = "☐" if t.done_on is None else "☑"
            line = Text(f"{box} {t.due.isoformat()}  ", style="bold" if late else "")
            line.append_text(text(t.title, "dim strike" if t.done_on else ""))
            if t.done_on is not None:
                line.append(f"  {S.TASK_DONE_ON.format(date=t.done_on.isoformat())}", style="dim")
            elif late:
                line.append(f"  {S.TASK_OVERDUE}", style=self._color("red"))
            if t.snoozed_until is not None:
                line.append(f"  ↷ {S.PLAN_PUT_OFF.format(date=t.snoozed_until.isoformat())}",
                            style="italic")  # fmt: skip
                line.append_text(text(f": {t.snooze_reason}" if t.snooze_reason else "", "italic"))
            self._tasks.append(line)
        others = Text()
        for z in v.snoozes:
            if z.kind == "task":
                continue
            others.append(f"  ↷ {S.plan_kind(z.kind)}  ", style="italic")
            if z.about:
                others.append_text(text(z.about, "italic"))
                others.append("  ")
            others.append(S.PLAN_PUT_OFF.format(date=z.until.isoformat()), style="italic")
            others.append_text(text(f": {z.reason}" if z.reason else "", "italic"))
            others.append("\n")
        if others:
            others = Text(S.TASKS_PUT_OFF + "\n", style="dim").append_text(others)
        self._tasks_note = others
        body = "\n".join(line.plain for line in self._tasks)
        self._plain["tasks"] = (
            S.SECTION_TASKS + "\n" + (body or S.TASKS_EMPTY) + "\n" + others.plain
        ).rstrip("\n")

    def _show_tasks(self, v: AccountView) -> None:
        tasks = self.query_one("#task-list", OptionList)
        keep = tasks.highlighted
        tasks.clear_options()
        for t, line in zip(v.tasks, self._tasks, strict=True):
            tasks.add_option(Option(line, id=f"task-{t.id}"))
        if v.tasks:
            tasks.highlighted = min(keep or 0, len(v.tasks) - 1)
        tasks.display = bool(v.tasks)
        none_open = all(t.done_on is not None for t in v.tasks)
        note = Text(S.TASKS_EMPTY + "\n" if none_open else "", style="dim")
        self.query_one("#tasks-note", Static).update(note.append_text(self._tasks_note))

    def action_add_task(self) -> None:
        if self.view is None or not self._writable():
            return
        due = self.today + timedelta(days=(4 - self.today.weekday()) % 7)  # this week's Friday

        def done(task: NewTask | None) -> None:
            if task is not None:
                self.write_task(task)

        title = S.TASK_NEW.format(account=plain(self.view.profile["name"]))
        self.app.push_screen(TaskDialog(title, due), done)

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_task(self, task: NewTask) -> None:
        try:
            self.book.add_task(self.account_id, self.today, title=task.title, due=task.due)
        except KamError as e:
            self.post_message(AccountChanged(str(e), error=True))
            return
        self.post_message(AccountChanged(S.TASK_ADDED.format(due=task.due.isoformat())))

    def _chosen_task(self) -> TaskView | None:
        if self.view is None or not self._writable():
            return None
        index = (
            self.query_one("#task-list", OptionList).highlighted if "tasks" in self._built else 0
        )
        if not self.view.tasks or index is None:
            self.notify(S.NO_TASK, markup=False)
            return None
        return self.view.tasks[index]

    def action_complete_task(self) -> None:
        task = self._chosen_task()
        if task is None:
            return
        if task.done_on is not None:
            self.notify(S.TASK_DONE_ALREADY, markup=False)
            return
        self.write_task_done(task.id, task.title)

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_task_done(self, task_id: int, title: str) -> None:
        try:
            self.book.complete_task(task_id, self.today)
        except KamError as e:
            self.post_message(AccountChanged(str(e), error=True))
            return
        self.post_message(AccountChanged(S.TASK_DONE.format(title=title)))

    def action_reopen_task(self) -> None:
        """Take back the tick of a task done by mistake."""
        task = self._chosen_task()
        if task is None:
            return
        if task.done_on is None:
            self.notify(S.PLAN_NOT_TICKED, markup=False)
            return
        self.write_task_open(task.id, task.title)

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_task_open(self, task_id: int, title: str) -> None:
        try:
            self.book.reopen_task(task_id, self.today)
        except KamError as e:
            self.post_message(AccountChanged(str(e), error=True))
            return
        self.post_message(AccountChanged(S.TASK_REOPENED.format(title=title)))

    # ---- logging a touch ----------------------------------------------------------------------
    def action_log_interaction(self) -> None:
        if not self._writable():
            return
        contacts = [(c.id, c.name) for c in self.view.contacts if c.active] if self.view else []

        def done(entry: NewInteraction | None) -> None:
            if entry is not None:
                self.write_interaction(entry)

        account = self.view.profile["name"] if self.view else ""
        self.app.push_screen(InteractionDialog(self.today, contacts, account), done)

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
                plain(S.say(message.note)),
                markup=False,
                severity="error" if message.error else "information",
            )
        self.load()

    def action_history(self) -> None:
        """Every recorded change to the account, newest first."""
        if self.view is not None:
            title = S.HISTORY_TITLE.format(name=plain(self.view.profile["name"]))
            names = {c.id: c.name for c in self.view.contacts}
            self.app.push_screen(
                HistoryScreen(title, self.view.history, self.book.config.model, names)
            )

    # ---- the tier pinned by hand --------------------------------------------------------------
    def action_pin_tier(self) -> None:
        if self.view is None or not self._writable():
            return
        v = self.view
        computed = v.derived.score.computed_tier or "–"
        options = [(tier, tier) for tier in TIERS]
        if v.pinned_tier:
            options.append((S.UNPIN, ""))
        name = plain(v.profile["name"])

        def picked(tier: str | None) -> None:
            if tier is None:
                return
            if not tier:
                self.write_pin(None, "", v.version)
                return

            def reasoned(reason: str | None) -> None:
                if reason:
                    self.write_pin(tier, reason, v.version)

            self.app.push_screen(
                ReasonDialog(S.PIN_REASON.format(tier=tier), value=v.pin_reason), reasoned
            )

        title = S.PIN_PICK.format(name=name, computed=computed)
        self.app.push_screen(PickDialog(title, options, v.pinned_tier or computed), picked)

    @work(thread=True, group="account-write", exit_on_error=False)
    def write_pin(self, tier: str | None, reason: str, version: int) -> None:
        name = self.view.profile["name"] if self.view else ""
        try:
            self.book.pin_tier(self.account_id, tier, reason, self.today, seen_version=version)
            tier_now = self.book.account_view(self.account_id, self.today).derived.tier or "–"
        except KamError as e:
            self.post_message(AccountChanged(str(e), error=True))
            return
        note = (
            S.PINNED_NOTE.format(name=name, tier=tier) if tier
            else S.UNPINNED_NOTE.format(name=name, tier=tier_now)
        )  # fmt: skip
        self.post_message(AccountChanged(note))

    # ---- editing the profile and ratings ------------------------------------------------------
    def _writable(self) -> bool:
        """Whether this screen may change the book (a read-only one or a team view may
        not: their keys are not offered, and Enter on a contact or a deal says so)."""
        if self.book.read_only:
            self.notify(S.READ_ONLY_REFUSED, severity="warning", markup=False)
            return False
        return True

    def action_edit(self) -> None:
        if self.view is not None and self._writable():
            self.app.push_screen(edit_form(self.book, self.today, self.view), self._edited)

    def _edited(self, saved: bool | None) -> None:
        if saved:
            self.load()


def form_data(view: AccountView) -> FormData:
    """What the edit form shows of an account."""
    return FormData(
        {k: view.profile.get(k) for k in PROFILE_FIELDS},
        view.version,
        {line.key: line.rating for line in view.derived.score.breakdown},
    )


def contact_data(view: AccountView, contact_id: int) -> FormData:
    """What the contact form shows of one of the account's contacts."""
    contact = next((c for c in view.contacts if c.id == contact_id), None)
    info = view.contact_info.get(contact_id)
    if contact is None or info is None:
        raise InputError(f"There is no contact {contact_id}.")
    return FormData({**contact._asdict(), "email": info.email, "phone": info.phone}, info.version)


def deal_data(view: AccountView, deal_id: int) -> FormData:
    """What the deal form shows of one of the account's deals."""
    deal = next((d for d in view.deals if d.id == deal_id), None)
    if deal is None:
        raise InputError(f"There is no deal {deal_id}.")
    values = {"name": deal.name, "amount": deal.amount, "expected_close": deal.expected_close,
              "next_step": deal.next_step}  # fmt: skip
    return FormData(values, deal.version)


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
