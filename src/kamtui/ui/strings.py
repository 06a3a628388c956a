"""The UI's message catalog: every string a user reads, in English and 简体中文.

Use as ``from kamtui.ui import strings as S`` then ``S.COL_TIER``. The language is chosen
once, before the UI is imported (``set_language``); a key missing in Chinese falls back
to English.
"""

from __future__ import annotations

import locale
import os

EN: dict[str, str] = {
    "APP_TITLE": "kamtui",
    "COL_TIER": "Tier",
    "COL_NAME": "Account",
    "COL_TRACK": "Track",
    "COL_SCORE": "Score",
    "COL_HEALTH": "Health",
    "COL_STAGE": "Top deal",
    "COL_LAST_TOUCH": "Last touch",
    "COL_NEXT_ACTION": "Next action",
    "COL_OWNER": "Owner",
    "KEY_UP": "Up",
    "KEY_DOWN": "Down",
    "KEY_PAGE_UP": "Page up",
    "KEY_PAGE_DOWN": "Page down",
    "KEY_FIRST": "First",
    "KEY_LAST": "Last",
    "KEY_OPEN": "Open",
    "KEY_QUIT": "Quit",
    "KEY_HELP": "Help",
    "KEY_PLAN": "Weekly plan",
    "KEY_TICK": "Done",
    "KEY_PREV_WEEK": "Previous week",
    "KEY_NEXT_WEEK": "Next week",
    "KEY_EXPORT": "Export Markdown",
    "PLAN_TITLE": "Weekly plan {week} ({start} – {end}) · owner: {owner} · {n} items",
    "PLAN_LOADING": "Working out the plan…",
    "PLAN_HINT": "Space ticks a touch or task done (a touch is logged as a call today); Enter opens the account.",
    "PLAN_TASK_DONE": "Task done for {account}",
    "PLAN_TOUCH_LOGGED": "Touch logged for {account}",
    "PLAN_EXPORT_TITLE": "Export the plan as Markdown to",
    "PLAN_EXPORTED": "{n} items written to {path}",
    "PLAN_KIND_HEALTH": "health",
    "PLAN_KIND_EXEC_TOUCH": "executive touch",
    "PLAN_KIND_TOUCH": "touch",
    "PLAN_KIND_TASK": "task",
    "PLAN_KIND_DELIVERABLES": "deliverables",
    "PLAN_KIND_STALE_DEAL": "stale deal",
    "PALETTE_OPEN_ACCOUNT": "Open this account",
    "PALETTE_HELP": "Keys",
    "PALETTE_HELP_HELP": "Show every key of this screen",
    "KEY_FILTER": "Filter",
    "KEY_SORT": "Sort",
    "KEY_REVERSE": "Reverse",
    "KEY_TIERS": "Tier S/A/B/C/–",
    "KEY_ALL_TIERS": "All tiers",
    "KEY_BACK": "Back",
    "KEY_TRACK": "Track",
    "KEY_HEALTH": "Health",
    "KEY_OWNER": "Owner",
    "KEY_ATTENTION": "Attention",
    "FILTER_TRACK": "track: {track}",
    "FILTER_HEALTH": "health: {health}",
    "FILTER_OWNER": "owner: {owner}",
    "FILTER_ANY": "any",
    "FILTER_ATTENTION": "needs attention (red or yellow)",
    "SUMMARY_PIPELINE": "deals by stage",
    "SUMMARY_TOP20": "top 20% = {share} of revenue",
    "SUMMARY_DEPENDENCY": "{name} holds {share}",
    "FILTER_PLACEHOLDER": "Type to filter by name, industry, region or owner  (/ to focus, Esc to leave)",
    "SUMMARY": "{shown} of {total} accounts",
    "SUMMARY_TIERS": "S {S} · A {A} · B {B} · C {C} · unscored {unscored}",
    "FILTER_TIERS": "tiers: {tiers}",
    "FILTER_ALL": "all tiers",
    "SORTED_BY": "sorted by {column}{direction}",
    "DESCENDING": ", descending",
    "REFRESHING": "Recomputing tiers and health for {today}: {done} of {total}",
    "REFRESHED": "Tiers and health are up to date for {today}",
    "READ_ONLY": "read-only",
    "EMPTY_BOOK": "No accounts match. Clear the filter (Esc) or the tiers (0).",
    "ERROR": "Something went wrong: {error}",
    "ACCOUNT_TITLE": "{name}",
    "SECTION_PROFILE": "Profile",
    "SECTION_SCORE": "Score and tier",
    "SECTION_HEALTH": "Health",
    "SECTION_COVERAGE": "Decision map",
    "SECTION_DEALS": "Deals",
    "SECTION_DELIVERABLES": "Deliverables of stage",
    "SECTION_TIMELINE": "Timeline",
    "SECTION_TASKS": "Open tasks",
    "PINNED": "pinned by hand: {tier} — {reason} (computed: {computed})",
    "UNSCORED": "unscored — missing {missing}",
    "NO_FLAGS": "no flags",
    "NO_WARNINGS": "no coverage warnings",
    "NONE": "none",
    "LEFT_ON": "left {date}",
    "DEAL_LINE": "{name} · {amount} · stage {stage} {stage_name} · {days} days in stage",
    "DEAL_MISSING": "missing: {missing}",
    "DEAL_COMPLETE": "stage deliverables complete",
    "TRACK_PLAY": "{label} — {play}",
    "KEY_CANCEL": "Cancel",
    "OK": "OK",
    "CANCEL": "Cancel",
    "SAVE": "Save",
    "REASON_PLACEHOLDER": "Write the reason",
    "REASON_REQUIRED": "A reason is required.",
    "FORCE": "Force with reason",
    "FORCE_REASON_TITLE": "Why move on with stage {stage} incomplete?",
    "GATE_TITLE": "{deal}: stage {stage} is missing {n} deliverable(s). Tick them to move on, or force with a reason.",
    "GATE_TICK_ALL": "Tick every missing deliverable, or force with a reason.",
    "TICK_AND_ADVANCE": "Tick and advance",
    "LOST_TITLE": "Why was {deal} lost?",
    "LOG_TITLE": "Log an interaction",
    "LOG_CONTACT": "Contact (optional)",
    "LOG_EXECUTIVE": "Executive-level touch",
    "LOG_SUMMARY": "What happened",
    "BAD_DATE": "{value!r} is not a date like 2026-11-23.",
    "FUTURE_DATE": "An interaction cannot be logged in the future.",
    "KEY_ADVANCE": "Advance",
    "KEY_MOVE_BACK": "Back a stage",
    "KEY_LOST": "Close lost",
    "KEY_LOG": "Log touch",
    "DEAL_MOVED": "{deal}: now in stage {stage} {label}",
    "DEAL_LOST": "{deal}: closed lost",
    "INTERACTION_LOGGED": "Logged {kind} on {on}",
    "NO_OPEN_DEAL": "This account has no open deal.",
    "DEAL_OPTION": "{steps}  {name}  ·  {amount}  ·  stage {stage} {label}  ·  {days} days",
}

ZH: dict[str, str] = {
    "COL_TIER": "级别",
    "COL_NAME": "客户",
    "COL_TRACK": "赛道",
    "COL_SCORE": "评分",
    "COL_HEALTH": "健康度",
    "COL_STAGE": "最高商机阶段",
    "COL_LAST_TOUCH": "最近触达",
    "COL_NEXT_ACTION": "下一步",
    "COL_OWNER": "负责人",
    "KEY_OPEN": "打开",
    "KEY_QUIT": "退出",
    "KEY_HELP": "帮助",
    "KEY_PLAN": "周计划",
    "KEY_TICK": "完成",
    "KEY_PREV_WEEK": "上一周",
    "KEY_NEXT_WEEK": "下一周",
    "KEY_EXPORT": "导出Markdown",
    "PLAN_TITLE": "周计划 {week}（{start} – {end}）· 负责人：{owner} · {n} 项",
    "PLAN_LOADING": "正在生成周计划…",
    "PLAN_KIND_HEALTH": "健康度跟进",
    "PLAN_KIND_EXEC_TOUCH": "高层触达",
    "PLAN_KIND_TOUCH": "触达",
    "PLAN_KIND_TASK": "待办",
    "PLAN_KIND_DELIVERABLES": "输出物",
    "PLAN_KIND_STALE_DEAL": "商机停滞",
    "PALETTE_OPEN_ACCOUNT": "打开该客户",
    "PALETTE_HELP": "快捷键",
    "PALETTE_HELP_HELP": "显示本界面的全部快捷键",
    "KEY_FILTER": "筛选",
    "KEY_SORT": "排序",
    "KEY_REVERSE": "倒序",
    "KEY_TIERS": "级别 S/A/B/C/未评",
    "KEY_ALL_TIERS": "全部级别",
    "KEY_BACK": "返回",
    "KEY_TRACK": "赛道",
    "KEY_HEALTH": "健康度",
    "KEY_OWNER": "负责人",
    "KEY_ATTENTION": "需关注",
    "FILTER_TRACK": "赛道：{track}",
    "FILTER_HEALTH": "健康度：{health}",
    "FILTER_OWNER": "负责人：{owner}",
    "FILTER_ANY": "全部",
    "FILTER_ATTENTION": "需关注（红/黄）",
    "SUMMARY_PIPELINE": "各阶段商机",
    "SUMMARY_TOP20": "前20%客户贡献近12个月收入的 {share}",
    "SUMMARY_DEPENDENCY": "{name} 占 {share}（客户依赖风险）",
    "FILTER_PLACEHOLDER": "输入客户名称、行业、地区或负责人筛选（/ 聚焦，Esc 离开）",
    "SUMMARY": "显示 {shown} / 共 {total} 个客户",
    "SUMMARY_TIERS": "S {S} · A {A} · B {B} · C {C} · 未评级 {unscored}",
    "FILTER_TIERS": "级别：{tiers}",
    "FILTER_ALL": "全部级别",
    "SORTED_BY": "按{column}排序{direction}",
    "DESCENDING": "（倒序）",
    "REFRESHING": "正在按 {today} 重算级别与健康度：{done} / {total}",
    "REFRESHED": "级别与健康度已按 {today} 更新",
    "READ_ONLY": "只读",
    "EMPTY_BOOK": "没有匹配的客户。按 Esc 清除筛选，或按 0 显示全部级别。",
    "SECTION_PROFILE": "客户档案",
    "SECTION_SCORE": "评分与分级",
    "SECTION_HEALTH": "健康度",
    "SECTION_COVERAGE": "决策地图",
    "SECTION_DEALS": "商机",
    "SECTION_DELIVERABLES": "阶段输出物",
    "SECTION_TIMELINE": "时间线",
    "SECTION_TASKS": "待办",
}

EN.update(
    {"KIND_CALL": "call", "KIND_EMAIL": "email", "KIND_MEETING": "meeting", "KIND_VISIT": "visit"}
)
ZH.update({"KIND_CALL": "电话", "KIND_EMAIL": "邮件", "KIND_MEETING": "会议", "KIND_VISIT": "拜访"})

_current: dict[str, str] = EN


def detect_language() -> str:
    env = os.environ.get("KAMTUI_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if not env:
        env = locale.getlocale()[0] or ""
    return "zh" if env.lower().startswith("zh") else "en"


def set_language(lang: str) -> None:
    global _current
    _current = {**EN, **ZH} if lang == "zh" else EN


def plan_kind(kind: str) -> str:
    """A plan item's kind in the UI's language."""
    return _current.get(f"PLAN_KIND_{kind.upper()}", kind)


def kind_name(kind: str) -> str:
    """An interaction kind (call, email, meeting, visit) in the UI's language."""
    return _current.get(f"KIND_{kind.upper()}", kind)


def __getattr__(name: str) -> str:
    try:
        return _current[name]
    except KeyError:
        raise AttributeError(name) from None
