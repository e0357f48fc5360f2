"""Plain-language explanations of the engine's recommendations, in Chinese and English.

``explain`` turns one assessment row (``Assessment.row``) and the provenance
frame into sentences a resident can read. They give what the engine
recommends and each rule's outcome with the values it used. Then every
parameter behind them follows, with its value, start date, source and
caveats (secondary source, inexact date, assumed value, national default).
The module keeps its own message table because it does not import Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final, Literal

import polars as pl

from doudi.policy.money import fen_to_yuan

Language = Literal["zh", "en"]
Row = Mapping[str, Any]

MESSAGES: Final[dict[str, dict[Language, str]]] = {
    # Recommendation and disclaimer.
    "eligible": {
        "zh": "建议：符合{scheme}条件，每月 {amount} 元。",
        "en": "Recommendation: eligible for {scheme}, {amount} yuan a month.",
    },
    "eligible_no_amount": {
        "zh": "建议：符合{scheme}条件。",
        "en": "Recommendation: eligible for {scheme}.",
    },
    "eligible_amount_unknown": {
        "zh": "建议：符合{scheme}条件；金额按现行发放标准，由经办人员确认。",
        "en": "Recommendation: eligible for {scheme}; the amount is the current "
        "award, which a caseworker confirms.",
    },
    "not_eligible": {
        "zh": "建议：不符合{scheme}条件。",
        "en": "Recommendation: not eligible for {scheme}.",
    },
    "disclaimer": {
        "zh": "这是系统根据规则给出的建议，最终由工作人员审核决定。",
        "en": "This is the system's recommendation under the rules; a caseworker "
        "reviews it and decides.",
    },
    "declared": {
        "zh": "收入和财产为家庭申报数据，尚未经过经济状况核对。",
        "en": "Income and assets are as declared by the household and have not "
        "yet been verified.",
    },
    "verified": {
        "zh": "收入和财产已经过经济状况核对。",
        "en": "Income and assets have been verified by the economic check.",
    },
    # Household and income.
    "members": {
        "zh": "计入共同生活家庭成员 {counted} 人。",
        "en": "Members counted in the household: {counted}.",
    },
    "excluded": {
        "zh": "不计入 {count} 人（服刑、强制隔离戒毒、宣告失踪或出家三年以上）。",
        "en": "Not counted: {count} (in prison, in compulsory drug rehabilitation, "
        "declared missing, or clergy living apart for 3 years or more).",
    },
    "uncounted": {
        "zh": "另有 {count} 人不属于共同生活家庭成员（无法定赡养、抚养、扶养义务或"
        "未长期共同居住）。",
        "en": "Also not household members for these rules: {count} (no duty of "
        "support, or not living with the household long term).",
    },
    "income": {
        "zh": "家庭月可计算收入 {countable} 元（收入 {gross} 元，扣减必要支出 "
        "{deductions} 元），人均 {per_capita} 元。",
        "en": "Countable household income is {countable} yuan a month ({gross} "
        "yuan less {deductions} yuan of deductible costs), or {per_capita} yuan "
        "per person.",
    },
    "registration_ok": {
        "zh": "家庭为本地户籍。",
        "en": "The household is registered locally.",
    },
    "registration_failed": {
        "zh": "家庭不是本地户籍。",
        "en": "The household is not registered locally.",
    },
    # Standards and income tests.
    "standard": {
        "zh": "低保标准为每人每月 {standard} 元。",
        "en": "The dibao standard is {standard} yuan per person per month.",
    },
    "standard_total": {
        "zh": "按成员计算的保障标准合计 {total} 元（未成年人适用标准 {minor} 元）。",
        "en": "The members' standards add up to {total} yuan (minors' standard "
        "{minor} yuan).",
    },
    "income_below": {
        "zh": "人均收入 {per_capita} 元低于{line_name} {line} 元。",
        "en": "Per-capita income of {per_capita} yuan is below the {line_name} of "
        "{line} yuan.",
    },
    "income_not_below": {
        "zh": "人均收入 {per_capita} 元不低于{line_name} {line} 元。",
        "en": "Per-capita income of {per_capita} yuan is not below the {line_name} "
        "of {line} yuan.",
    },
    "no_members": {
        "zh": "没有计入的家庭成员，无法计算人均收入。",
        "en": "No member counts, so per-capita income cannot be computed.",
    },
    # Assets.
    "financial_ok": {
        "zh": "人均金融资产 {per_person} 元，未超过上限 {limit} 元。",
        "en": "Financial assets of {per_person} yuan per person are within the "
        "limit of {limit} yuan.",
    },
    "financial_failed": {
        "zh": "人均金融资产 {per_person} 元，超过上限 {limit} 元。",
        "en": "Financial assets of {per_person} yuan per person exceed the limit "
        "of {limit} yuan.",
    },
    "financial_unchecked": {
        "zh": "本地未设定金融资产上限（assets.financial_months），未核查金融资产。",
        "en": "No local limit on financial assets is set "
        "(assets.financial_months), so they were not checked.",
    },
    "vehicle_ok": {
        "zh": "车辆情况符合规定（{vehicles} 辆）。",
        "en": "The vehicle rule is met (vehicles owned: {vehicles}).",
    },
    "vehicle_failed": {
        "zh": "拥有车辆 {vehicles} 辆，不符合规定。",
        "en": "Vehicles owned: {vehicles}, which the rules do not allow.",
    },
    "vehicle_unchecked": {
        "zh": "本地未设定车辆规定，未核查车辆。",
        "en": "No local vehicle rule is set, so vehicles were not checked.",
    },
    "housing_ok": {
        "zh": "住房情况符合规定（{homes} 套）。",
        "en": "The housing rule is met (homes owned: {homes}).",
    },
    "housing_failed": {
        "zh": "拥有住房 {homes} 套，超过规定且不适用人均面积例外。",
        "en": "Homes owned: {homes}, more than allowed, and the floor area "
        "exception does not apply.",
    },
    "housing_unchecked": {
        "zh": "本地未设定住房套数规定，未核查住房。",
        "en": "No local limit on homes is set, so housing was not checked.",
    },
    # Dibao.
    "route_household": {
        "zh": "按全家计算：保障金 {amount} 元（含分类施保 {addons} 元）。",
        "en": "As a whole household: {amount} yuan, including {addons} yuan of "
        "category add-ons.",
    },
    "gap_payment": {
        "zh": "差额发放：保障标准合计减家庭可计算收入。",
        "en": "Gap payment: the members' standards less countable household income.",
    },
    "tier_payment": {
        "zh": "分档发放：适用第 {tier} 档。",
        "en": "Tiered payment: tier {tier} applies.",
    },
    "separate": {
        "zh": "{applicants} 名重度残疾或重病成员可单独提出申请（家庭人均收入低于 "
        "{line} 元），合计 {amount} 元。",
        "en": "Members with a severe disability or serious illness who may apply "
        "alone (household per-capita income below {line} yuan): {applicants}, "
        "for {amount} yuan in all.",
    },
    "route_separate": {
        "zh": "单独申请的金额较高，建议按单独申请办理。",
        "en": "Separate application pays more, so it is the recommended route.",
    },
    "gradual_exit": {
        "zh": "因就业收入超过低保标准，进入渐退期，保障金继续发放至 {until}。",
        "en": "Work income lifted the household above the line, so the payment "
        "continues in the gradual exit until {until}.",
    },
    # Tekun.
    "tekun_persons": {
        "zh": "{persons} 人符合特困人员条件（{candidates} 人为老年人、未成年人或"
        "无劳动能力的残疾人）。",
        "en": "People who qualify as tekun: {persons} (elderly, minors or with a "
        "listed disability: {candidates}).",
    },
    "tekun_basic": {
        "zh": "特困人员基本生活标准为每人每月 {basic} 元。",
        "en": "The tekun basic living standard is {basic} yuan per person per month.",
    },
    "tekun_care": {
        "zh": "最高照料护理等级：{care}。护理补贴另行确定。",
        "en": "Highest care level: {care}. The care allowance is set separately.",
    },
    "tekun_missing": {
        "zh": "该日期没有适用的特困人员认定参数（tekun.*），未作判断。",
        "en": "No tekun parameters (tekun.*) apply on that date, so tekun was "
        "not assessed.",
    },
    # Edge, rigid and temporary.
    "edge_line_missing": {
        "zh": "该日期没有适用的低保边缘标准（edge.multiplier），未作判断。",
        "en": "No low-income line (edge.multiplier) applies on that date, so the "
        "edge status was not assessed.",
    },
    "on_other_scheme": {
        "zh": "家庭已享受或符合低保、特困（或低保边缘）条件，不再认定。",
        "en": "The household is already on, or eligible for, dibao or tekun (or "
        "the edge status), so it is not assessed again.",
    },
    "no_cash": {
        "zh": "该认定不发放现金，用于获得医疗、教育、住房等专项救助。",
        "en": "This status pays no cash; it opens medical, education, housing and "
        "other specialised assistance.",
    },
    "annual_income_below": {
        "zh": "家庭人均年收入低于上年当地居民人均可支配收入 {line} 元。",
        "en": "Per-capita income over 12 months is below last year's local "
        "per-capita disposable income of {line} yuan.",
    },
    "annual_income_not_below": {
        "zh": "家庭人均年收入不低于上年当地居民人均可支配收入 {line} 元。",
        "en": "Per-capita income over 12 months is not below last year's local "
        "per-capita disposable income of {line} yuan.",
    },
    "annual_line_missing": {
        "zh": "本地未设定上年居民人均可支配收入，无法判断。",
        "en": "Last year's local per-capita disposable income is not set, so this "
        "cannot be assessed.",
    },
    "spending_over": {
        "zh": "近 12 个月刚性支出 {spending} 元，超过家庭年收入的规定比例。",
        "en": "Rigid spending of {spending} yuan over the last 12 months exceeds "
        "the set share of income over 12 months.",
    },
    "spending_not_over": {
        "zh": "近 12 个月刚性支出 {spending} 元，未超过家庭年收入的规定比例。",
        "en": "Rigid spending of {spending} yuan over the last 12 months does not "
        "exceed the set share of income over 12 months.",
    },
    "valid_until": {
        "zh": "认定有效期至 {until}。",
        "en": "The determination is valid until {until}.",
    },
    "sudden_hardship": {
        "zh": "已记录突发性困难（急难型）。",
        "en": "A sudden hardship has been recorded.",
    },
    "case_by_case": {
        "zh": "临时救助金额由工作人员根据情况确定。",
        "en": "A caseworker sets the amount of temporary assistance case by case.",
    },
    # Parameters.
    "parameter": {
        "zh": "依据：{name} = {value}{unit}，自 {date} 起适用；来源：{source}{flags}",
        "en": "Basis: {name} = {value}{unit}, in force from {date}; source: "
        "{source}{flags}",
    },
    "flags": {"zh": "（{flags}）。", "en": " ({flags})."},
    "no_flags": {"zh": "。", "en": "."},
    "flag_national": {"zh": "全国默认值", "en": "national default"},
    "flag_reform": {"zh": "政策模拟值", "en": "reform value for a simulation"},
    "flag_secondary": {
        "zh": "二手来源，待核实",
        "en": "secondary source, to be confirmed",
    },
    "flag_assumed": {"zh": "假定值：{note}", "en": "assumed: {note}"},
    "flag_month": {"zh": "日期不精确，仅知月份", "en": "date inexact, month known"},
    "flag_year": {"zh": "日期不精确，仅知年份", "en": "date inexact, year known"},
    "flag_in_force_on": {
        "zh": "仅知该日有效，起始日期不详",
        "en": "known to be in force on that date, start unknown",
    },
    "separator": {"zh": "；", "en": "; "},
}

SCHEME_NAMES: Final[dict[str, dict[Language, str]]] = {
    "dibao": {"zh": "最低生活保障", "en": "dibao (minimum living allowance)"},
    "tekun": {
        "zh": "特困人员救助供养",
        "en": "tekun (support for people in extreme poverty)",
    },
    "edge": {"zh": "低保边缘家庭", "en": "low-income household at the dibao edge"},
    "rigid": {"zh": "刚性支出困难家庭", "en": "rigid-spending hardship"},
    "temporary": {"zh": "临时救助", "en": "temporary assistance"},
}
LINE_NAMES: Final[dict[str, dict[Language, str]]] = {
    "dibao": {"zh": "低保标准", "en": "dibao standard"},
    "edge": {"zh": "低保边缘标准", "en": "low-income line"},
}
CARE_LEVEL_NAMES: Final[dict[str, dict[Language, str]]] = {
    "self_care": {"zh": "生活自理", "en": "self-care"},
    "partly_dependent": {"zh": "部分失能", "en": "partly dependent"},
    "fully_dependent": {"zh": "完全失能", "en": "fully dependent"},
}
UNIT_NAMES: Final[dict[str, dict[Language, str]]] = {
    "yuan_per_person_month": {"zh": " 元/人·月", "en": " yuan per person per month"},
    "yuan_per_person_year": {"zh": " 元/人·年", "en": " yuan per person per year"},
    "months": {"zh": " 个月", "en": " months"},
    "square_metres": {"zh": " 平方米", "en": " m²"},
    "years": {"zh": " 岁", "en": " years"},
}
# Parameters cited for each scheme, in the order they are explained.
SCHEME_PARAMETERS: Final[dict[str, tuple[str, ...]]] = {
    "dibao": (
        "dibao.standard",
        "dibao.district_share",
        "dibao.minor_standard",
        "dibao.payment_mode",
        "dibao.tiers",
        "dibao.addons",
        "dibao.separate_application_multiplier",
        "income.disregarded",
        "income.deductible",
        "assets.financial_months",
        "assets.vehicle_allowed",
        "assets.vehicle_allowed_if_seriously_ill",
        "assets.max_homes",
        "assets.floor_area_exception_m2",
        "exit.gradual_months",
        "rounding.derived",
    ),
    "tekun": (
        "dibao.standard",
        "dibao.district_share",
        "tekun.multiplier",
        "tekun.income_disregarded",
        "tekun.elderly_age",
        "tekun.child_age",
        "minor.coverage_age",
        "assets.financial_months",
        "rounding.derived",
    ),
    "edge": (
        "dibao.standard",
        "dibao.district_share",
        "edge.multiplier",
        "income.disregarded",
        "assets.financial_months",
        "rounding.derived",
    ),
    "rigid": (
        "income.local_disposable_per_capita_last_year",
        "rigid.spending_share",
        "rigid.determination_months",
        "income.disregarded",
        "assets.financial_months",
    ),
    "temporary": (
        "income.local_disposable_per_capita_last_year",
        "rigid.spending_share",
    ),
}


def explain(
    assessment_row: Row, provenance: pl.DataFrame, lang: Language = "zh"
) -> list[str]:
    """Render one assessment row as plain sentences in ``lang``.

    ``assessment_row`` is what ``Assessment.row`` returns; ``provenance`` is
    ``Assessment.provenance``. Raises ValueError for an unknown language and
    KeyError for a row without a known ``scheme``.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}; use 'zh' or 'en'")
    scheme = str(assessment_row["scheme"])
    render = _SCHEME_RENDERERS[scheme]
    writer = _Writer(lang)
    writer.recommendation(assessment_row, scheme)
    render(writer, assessment_row)
    writer.add("disclaimer")
    parameters = _parameters_of(provenance, assessment_row["district_code"])
    for name in SCHEME_PARAMETERS[scheme]:
        if name in parameters and _cited(name, parameters[name], assessment_row):
            writer.parameter(parameters[name])
    return writer.lines


def _cited(name: str, record: Mapping[str, Any], row: Row) -> bool:
    """Tell whether a parameter bears on this row, so the list stays short."""
    match name:
        case "dibao.district_share":
            return bool(record["value"] != "1")
        case "dibao.minor_standard":
            return bool(row.get("counted_minors"))
        case "dibao.tiers":
            return row.get("payment_mode") == "tiered"
        case "dibao.addons":
            return bool(row.get("addons_fen"))
        case "dibao.separate_application_multiplier":
            return bool(row.get("separate_candidates"))
        case "income.deductible":
            return bool(row.get("deductions_fen"))
        case "exit.gradual_months":
            return row.get("route") == "gradual_exit"
    return True


class _Writer:
    """Collects sentences in one language."""

    def __init__(self, lang: Language) -> None:
        self.lang: Language = lang
        self.lines: list[str] = []

    def text(self, key: str, **values: object) -> str:
        return MESSAGES[key][self.lang].format(**values)

    def add(self, key: str, **values: object) -> None:
        self.lines.append(self.text(key, **values))

    def yuan(self, fen: int | None) -> str:
        return "—" if fen is None else format_yuan(fen)

    def recommendation(self, row: Row, scheme: str) -> None:
        name = SCHEME_NAMES[scheme][self.lang]
        amount = row.get("amount_fen")
        if not row["eligible"]:
            self.add("not_eligible", scheme=name)
        elif row.get("route") == "gradual_exit" and amount is None:
            self.add("eligible_amount_unknown", scheme=name)
        elif amount is None or (amount == 0 and scheme in ("edge", "rigid")):
            self.add("eligible_no_amount", scheme=name)
        else:
            self.add("eligible", scheme=name, amount=self.yuan(amount))
        self.add("verified" if row.get("data_source") == "verified" else "declared")

    def parameter(self, record: Mapping[str, Any]) -> None:
        flags = self.flags(record)
        flag_text = (
            self.text("flags", flags=self.text("separator").join(flags))
            if flags
            else self.text("no_flags")
        )
        unit = UNIT_NAMES.get(record["unit"], {}).get(self.lang, "")
        effective: date = record["effective_from"]
        self.add(
            "parameter",
            name=record["name"],
            value=record["value"],
            unit=unit,
            date=effective.isoformat(),
            source=record["source"],
            flags=flag_text,
        )

    def flags(self, record: Mapping[str, Any]) -> list[str]:
        qualities = {record["quality"], record["national_quality"]}
        flags = []
        if "national_default" in qualities:
            flags.append(self.text("flag_national"))
        if "reform" in qualities:
            flags.append(self.text("flag_reform"))
        if "secondary" in qualities:
            flags.append(self.text("flag_secondary"))
        if "assumed" in qualities:
            flags.append(self.text("flag_assumed", note=record["note"]))
        precision_flag = {
            "month": "flag_month",
            "year": "flag_year",
            "in_force_on": "flag_in_force_on",
        }.get(record["precision"])
        if precision_flag:
            flags.append(self.text(precision_flag))
        return flags


def _parameters_of(
    provenance: pl.DataFrame, district_code: str
) -> dict[str, dict[str, Any]]:
    rows = provenance.filter(pl.col("district_code") == district_code)
    return {record["name"]: record for record in rows.iter_rows(named=True)}


# --- Shared parts -------------------------------------------------------------


def _household(writer: _Writer, row: Row) -> None:
    writer.add("members", counted=row["counted_members"])
    if row["excluded_members"]:
        writer.add("excluded", count=row["excluded_members"])
    if row["uncounted_members"]:
        writer.add("uncounted", count=row["uncounted_members"])
    if not row["counted_members"]:
        writer.add("no_members")
        return
    writer.add(
        "income",
        countable=writer.yuan(row["countable_income_fen"]),
        gross=writer.yuan(row["gross_income_fen"]),
        deductions=writer.yuan(row["deductions_fen"]),
        per_capita=writer.yuan(row["per_capita_income_fen"]),
    )


def _registration(writer: _Writer, row: Row) -> None:
    writer.add("registration_ok" if row["registration_ok"] else "registration_failed")


def _income_test(writer: _Writer, row: Row, scheme: str, line_fen: int) -> None:
    if not row["counted_members"]:
        return
    key = "income_below" if row["income_ok"] else "income_not_below"
    writer.add(
        key,
        per_capita=writer.yuan(row["per_capita_income_fen"]),
        line_name=LINE_NAMES[scheme][writer.lang],
        line=writer.yuan(line_fen),
    )


def _asset_tests(writer: _Writer, row: Row) -> None:
    financial = row["financial_assets_ok"]
    if financial is None:
        writer.add("financial_unchecked")
    else:
        writer.add(
            "financial_ok" if financial else "financial_failed",
            per_person=writer.yuan(row["financial_assets_per_person_fen"]),
            limit=writer.yuan(row["asset_limit_fen"]),
        )
    _rule(writer, row["vehicle_ok"], "vehicle", vehicles=row["vehicles"])
    _rule(writer, row["housing_ok"], "housing", homes=row["homes"])


def _rule(writer: _Writer, outcome: bool | None, name: str, **values: object) -> None:
    if outcome is None:
        writer.add(f"{name}_unchecked")
    else:
        writer.add(f"{name}_ok" if outcome else f"{name}_failed", **values)


def _annual_income_test(writer: _Writer, row: Row) -> None:
    line = row["threshold_annual_fen"]
    if line is None:
        writer.add("annual_line_missing")
        return
    key = "annual_income_below" if row["income_ok"] else "annual_income_not_below"
    writer.add(key, line=writer.yuan(line))


def _spending_test(writer: _Writer, row: Row) -> None:
    if row["spending_ok"] is None:
        return
    key = "spending_over" if row["spending_ok"] else "spending_not_over"
    writer.add(key, spending=writer.yuan(row["rigid_spending_12m_fen"]))


# --- Schemes --------------------------------------------------------------------


def _dibao(writer: _Writer, row: Row) -> None:
    _household(writer, row)
    writer.add("standard", standard=writer.yuan(row["standard_fen"]))
    if row["counted_minors"] and row["minor_standard_fen"] is not None:
        writer.add(
            "standard_total",
            total=writer.yuan(row["standard_total_fen"]),
            minor=writer.yuan(row["minor_standard_fen"]),
        )
    _income_test(writer, row, "dibao", row["threshold_fen"])
    _asset_tests(writer, row)
    _registration(writer, row)
    _dibao_payment(writer, row)


def _dibao_payment(writer: _Writer, row: Row) -> None:
    if row["route"] == "gradual_exit":
        writer.add("gradual_exit", until=row["gradual_exit_until"].isoformat())
        return
    if row["household_amount_fen"]:
        tier = row["recommended_tier"]
        if tier is not None:
            writer.add("tier_payment", tier=tier.removeprefix("tier_"))
        else:
            writer.add("gap_payment")
        writer.add(
            "route_household",
            amount=writer.yuan(row["household_amount_fen"]),
            addons=writer.yuan(row["addons_fen"]),
        )
    if row["separate_applicants"]:
        writer.add(
            "separate",
            applicants=row["separate_applicants"],
            line=writer.yuan(row["separate_line_fen"]),
            amount=writer.yuan(row["separate_amount_fen"]),
        )
    if row["route"] == "separate":
        writer.add("route_separate")


def _tekun(writer: _Writer, row: Row) -> None:
    if row["basic_living_fen"] is None:
        writer.add("tekun_missing")
        return
    writer.add("tekun_persons", persons=row["persons"], candidates=row["candidates"])
    writer.add("tekun_basic", basic=writer.yuan(row["basic_living_fen"]))
    care = row["recommended_tier"]
    if care is not None:
        writer.add("tekun_care", care=CARE_LEVEL_NAMES[care][writer.lang])
    _asset_tests(writer, row)
    _registration(writer, row)


def _edge(writer: _Writer, row: Row) -> None:
    if not row["not_on_other_scheme"]:
        writer.add("on_other_scheme")
        return
    _household(writer, row)
    if row["threshold_fen"] is None:
        writer.add("edge_line_missing")
        return
    _income_test(writer, row, "edge", row["threshold_fen"])
    _asset_tests(writer, row)
    _registration(writer, row)
    if row["eligible"]:
        writer.add("no_cash")


def _rigid(writer: _Writer, row: Row) -> None:
    if not row["not_on_other_scheme"]:
        writer.add("on_other_scheme")
        return
    _household(writer, row)
    _annual_income_test(writer, row)
    _spending_test(writer, row)
    _asset_tests(writer, row)
    _registration(writer, row)
    if row["eligible"]:
        writer.add("valid_until", until=row["valid_until"].isoformat())
        writer.add("no_cash")


def _temporary(writer: _Writer, row: Row) -> None:
    if row["sudden_hardship"]:
        writer.add("sudden_hardship")
    _household(writer, row)
    _annual_income_test(writer, row)
    _spending_test(writer, row)
    writer.add("case_by_case")


_SCHEME_RENDERERS: Final[dict[str, Callable[[_Writer, Row], None]]] = {
    "dibao": _dibao,
    "tekun": _tekun,
    "edge": _edge,
    "rigid": _rigid,
    "temporary": _temporary,
}


def format_yuan(fen: int) -> str:
    """Format fen as yuan with a thousands separator: 165000 -> '1,650.00'."""
    return f"{fen_to_yuan(fen):,}"
