"""Every word a map, sheet or file shows, in Chinese (default) and English.

One dictionary instead of literals scattered through the renderers: a translator edits one place,
and a test checks that both languages have the same keys.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "grid_map_title": "责任网格",
        "route_map_title": "巡查路线",
        "boundary_map_title": "交界地带联合执法",
        "current_layout": "现行网格",
        "proposed_layout": "调整方案",
        "stations": "执法站点",
        "station": "站点",
        "code": "编码",
        "name": "名称",
        "parent": "所属",
        "staff": "执法人员",
        "persons": "人",
        "workload": "工作量",
        "workload_unit": "小时/周",
        "workload_legend": "工作量（小时/周）",
        "no_workload": "未估算",
        "officer": "队员",
        "route": "路线",
        "length": "长度",
        "minutes": "时长",
        "min": "分钟",
        "start": "起点",
        "end": "终点",
        "start_end": "起点 / 终点",
        "key_points": "重点点位",
        "window": "时段",
        "any_time": "全天",
        "dwell": "停留",
        "uncovered": "未覆盖街道",
        "reason": "原因",
        "turn_list": "路线说明",
        "follow": "沿",
        "turn_left": "左转进入",
        "turn_right": "右转进入",
        "continue": "直行进入",
        "u_turn": "掉头进入",
        "pass_through": "（途经）",
        "unnamed_street": "无名道路",
        "gap_walked": "断口（直线步行穿过）",
        "jurisdictions": "辖区",
        "grids": "网格",
        "boundary_zone": "交界地带",
        "hotspots": "热点（Gi*）",
        "hot_99": "热点 99%",
        "hot_95": "热点 95%",
        "hot_90": "热点 90%",
        "not_significant": "不显著",
        "cold_90": "冷点 90%",
        "cold_95": "冷点 95%",
        "cold_99": "冷点 99%",
        "incidents": "事件数",
        "joint_routes": "联合巡查路线",
        "meeting_points": "会合点",
        "legend": "图例",
        "date": "日期",
        "parties": "参与方",
        "and": "与",
        "hotspot_table": "交界热点",
        "joint_patrols": "联合巡查安排",
        "rank": "序号",
        "side": "所在辖区",
        "signatures": "签字",
        "incidents_by_side": "事件（两侧）",
        "peak_window": "高发时段",
        "cadence": "频次",
        "lead": "牵头方",
        "cadence_nightly": "每晚",
        "cadence_daily": "每天",
        "cadence_3×/week": "每周三次",
        "cadence_weekly": "每周",
        "sheet_title": "交界地带联合执法会商图",
        "no_hotspots": "无显著热点",
        "no_joint_routes": "暂无联合巡查路线",
        "streets": "街道",
        "grid_outline": "网格边界",
        "north": "北",
        "scale": "比例尺",
        "total": "合计",
        "generated_by": "由 gridplan 生成",
    },
    "en": {
        "grid_map_title": "Responsibility grids",
        "route_map_title": "Patrol routes",
        "boundary_map_title": "Boundary-zone joint enforcement",
        "current_layout": "Current grids",
        "proposed_layout": "Proposed grids",
        "stations": "Stations",
        "station": "Station",
        "code": "Code",
        "name": "Name",
        "parent": "Parent",
        "staff": "Officers",
        "persons": "",
        "workload": "Workload",
        "workload_unit": "h/week",
        "workload_legend": "Workload (h/week)",
        "no_workload": "not estimated",
        "officer": "Officer",
        "route": "Route",
        "length": "Length",
        "minutes": "Time",
        "min": "min",
        "start": "Start",
        "end": "End",
        "start_end": "Start / end",
        "key_points": "Key points",
        "window": "Window",
        "any_time": "any time",
        "dwell": "Dwell",
        "uncovered": "Uncovered streets",
        "reason": "Reason",
        "turn_list": "Directions",
        "follow": "Follow",
        "turn_left": "Turn left onto",
        "turn_right": "Turn right onto",
        "continue": "Continue onto",
        "u_turn": "Turn back onto",
        "pass_through": " (pass through)",
        "unnamed_street": "unnamed street",
        "gap_walked": "(gap walked across)",
        "jurisdictions": "Jurisdictions",
        "grids": "Grids",
        "boundary_zone": "Boundary zone",
        "hotspots": "Hotspots (Gi*)",
        "hot_99": "Hot spot 99%",
        "hot_95": "Hot spot 95%",
        "hot_90": "Hot spot 90%",
        "not_significant": "Not significant",
        "cold_90": "Cold spot 90%",
        "cold_95": "Cold spot 95%",
        "cold_99": "Cold spot 99%",
        "incidents": "Incidents",
        "joint_routes": "Joint patrol routes",
        "meeting_points": "Meeting points",
        "legend": "Legend",
        "date": "Date",
        "parties": "Parties",
        "and": "and",
        "hotspot_table": "Boundary hotspots",
        "joint_patrols": "Joint patrols",
        "rank": "No.",
        "side": "Side",
        "signatures": "Signatures",
        "incidents_by_side": "Incidents (sides)",
        "peak_window": "Peak window",
        "cadence": "Cadence",
        "lead": "Lead",
        "cadence_nightly": "nightly",
        "cadence_daily": "daily",
        "cadence_3×/week": "3×/week",
        "cadence_weekly": "weekly",
        "sheet_title": "Boundary-zone joint enforcement meeting map",
        "no_hotspots": "No significant hotspots",
        "no_joint_routes": "No joint patrol routes yet",
        "streets": "Streets",
        "grid_outline": "Grid boundary",
        "north": "N",
        "scale": "Scale",
        "total": "Total",
        "generated_by": "made with gridplan",
    },
}

# Gi* confidence class (−3…3) → label key, hot first: the order of every legend.
GI_CLASS_KEYS: dict[int, str] = {
    3: "hot_99", 2: "hot_95", 1: "hot_90", 0: "not_significant",
    -1: "cold_90", -2: "cold_95", -3: "cold_99",
}


def check_lang(lang: str) -> Lang:
    """``lang`` if supported, else InvalidInputError (imported lazily to keep this module plain)."""
    if lang not in LANGS:
        from gridplan.errors import InvalidInputError, Problem

        raise InvalidInputError(f"unsupported language {lang!r}", [Problem(
            "lang", "", expected=" or ".join(LANGS), found=repr(lang),
            fix="pass lang='zh' (default) or lang='en'")])
    return lang  # type: ignore[return-value]


def labels(lang: str = "zh") -> dict[str, str]:
    """The label dictionary of ``lang`` ('zh' or 'en')."""
    return _LABELS[check_lang(lang)]


def all_label_sets() -> dict[str, dict[str, str]]:
    """Both dictionaries (for tests and translators)."""
    return {k: dict(v) for k, v in _LABELS.items()}


def street_name(name: object, text: dict[str, str]) -> str:
    """A street's name as a map or turn list prints it: unnamed streets and the straight links
    across gaps of a broken walk network (:data:`gridplan.network.BRIDGE_NAME`) in ``text``'s
    language."""
    from gridplan.network import BRIDGE_NAME

    if not isinstance(name, str) or not name:
        return text["unnamed_street"]
    return text["gap_walked"] if name == BRIDGE_NAME else name
