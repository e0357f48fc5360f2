"""The schema of every feed kind and how its rows become facts.

Column names are ours, in English. The data element catalogue of MZ/T
073-2024 (居民家庭经济状况核对 数据元) was not available while these
schemas were written, so no field carries an element identifier yet. Each
field carries the Chinese element name that departments use, and a file may
use that name as its column header instead. docs/feeds/ documents each kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from django.utils.translation import gettext_lazy as _

from doudi.exchange.kinds import MONITORING_KINDS, FeedKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class FieldType(StrEnum):
    RESIDENT_ID = "resident_id"
    TEXT = "text"
    DATE = "date"
    # A calendar month as YYYY-MM (or a date in that month).
    MONTH = "month"
    # Yuan with at most two decimals, stored as integer fen.
    AMOUNT = "amount"
    INTEGER = "integer"
    DECIMAL = "decimal"
    CODE = "code"
    REGION = "region"


class Sensitivity(StrEnum):
    """Display level of a field: public and internal shown freely, the others masked.

    `sensitive` follows the Personal Information Protection Law, Art. 28:
    identity numbers, health, financial accounts and data on children.
    """

    PUBLIC = "public"
    INTERNAL = "internal"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"


@dataclass(frozen=True)
class FieldSpec:
    """One column of a feed.

    `element` is the Chinese data element name, also accepted as the column
    header. `element_id` is the MZ/T 073-2024 identifier where known.
    `ends_validity` marks a date that ends a record's validity (valid until,
    paid until): such a date may lie in the future, unlike event and record
    dates.
    """

    name: str
    label: StrOrPromise
    element: str
    type: FieldType
    required: bool
    sensitivity: Sensitivity
    allowed: tuple[str, ...] = ()
    element_id: str | None = None
    ends_validity: bool = False


@dataclass(frozen=True)
class FactRule:
    """Rule by which a valid row yields one ExchangeFact.

    Values that start with "=" are literals, and others name a column. A rule
    with `when` yields a fact only for rows where that column has a value.
    `valid_to` of "+1 month" ends the fact a month after `valid_from`.
    `item_map` translates the item column's value into the engine's
    vocabulary.
    """

    category: str
    item: str
    valid_from: str
    amount: str | None = None
    quantity: str | None = None
    code: str | None = None
    valid_to: str | None = None
    when: str | None = None
    item_map: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedSpec:
    kind: FeedKind
    name: str
    label: StrOrPromise
    department: str
    fields: tuple[FieldSpec, ...]
    facts: tuple[FactRule, ...]
    # Pairs (start column, end column): the end must come after the start.
    ranges: tuple[tuple[str, str], ...] = ()

    @property
    def needs_authorisation(self) -> bool:
        return self.kind not in MONITORING_KINDS

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields if spec.required)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


T = FieldType
S = Sensitivity

# Every feed identifies the person with these three fields. A missing or
# invalid resident ID sends the row to the unmatched queue, where the name
# and birth date find candidates.
PERSON_FIELDS: Final = (
    FieldSpec(
        "resident_id",
        _("Resident ID"),
        "公民身份号码",
        T.RESIDENT_ID,
        False,
        S.SENSITIVE,
    ),
    FieldSpec("name", _("Name"), "姓名", T.TEXT, True, S.PERSONAL),
    FieldSpec("birth_date", _("Birth date"), "出生日期", T.DATE, True, S.PERSONAL),
)
REGION_FIELD: Final = FieldSpec(
    "region_code", _("Region code"), "行政区划代码", T.REGION, False, S.INTERNAL
)


def _feed(
    kind: FeedKind,
    department: str,
    fields: tuple[FieldSpec, ...],
    facts: tuple[FactRule, ...],
    ranges: tuple[tuple[str, str], ...] = (),
) -> FeedSpec:
    return FeedSpec(
        kind=kind,
        name=kind.value,
        label=kind.label,
        department=department,
        fields=(*PERSON_FIELDS, *fields, REGION_FIELD),
        facts=facts,
        ranges=ranges,
    )


REGISTRATION_EVENTS: Final = ("birth", "death", "move_in", "move_out")
MARRIAGE_EVENTS: Final = ("marriage", "divorce")
# Social insurance benefit types and the income kind each one is counted as.
# The residents' basic pension counts as pension income here. The part paid
# from central funds is disregarded by the engine's own parameter.
BENEFIT_INCOME_KINDS: Final = {
    "employee_pension": "pension",
    "residents_pension": "pension",
    "survivor_benefit": "benefit",
    "work_injury_benefit": "benefit",
    "sickness_benefit": "benefit",
    "maternity_benefit": "social_insurance",
}
FINANCIAL_ASSET_TYPES: Final = (
    "deposits",
    "securities",
    "insurance",
    "internet_finance",
    "debts_owed",
)
VEHICLE_TYPES: Final = ("car", "motorcycle", "truck", "other")
BUSINESS_STATUSES: Final = ("active", "suspended", "deregistered")
DISABILITY_CATEGORIES: Final = (
    "visual",
    "hearing",
    "speech",
    "physical",
    "intellectual",
    "mental",
    "multiple",
)
DISABILITY_GRADES: Final = ("1", "2", "3", "4")
SCHOOL_LEVELS: Final = (
    "preschool",
    "primary",
    "junior_secondary",
    "senior_secondary",
    "vocational",
    "undergraduate",
    "postgraduate",
)
SCHOOL_STATUSES: Final = ("enrolled", "suspended", "graduated", "dropped_out")
UTILITIES: Final = ("water", "electricity", "gas")
UNEMPLOYMENT_STATUSES: Final = ("registered", "deregistered")


FEEDS: Final[Mapping[str, FeedSpec]] = {
    spec.kind.value: spec
    for spec in (
        _feed(
            FeedKind.HOUSEHOLD_REGISTRATION,
            "Public security (household registration)",
            (
                FieldSpec(
                    "event",
                    _("Event"),
                    "户籍变动类型",
                    T.CODE,
                    True,
                    S.INTERNAL,
                    REGISTRATION_EVENTS,
                ),
                FieldSpec(
                    "event_date", _("Event date"), "变动日期", T.DATE, True, S.PERSONAL
                ),
            ),
            (FactRule("event", "=registration", "event_date", code="event"),),
        ),
        _feed(
            FeedKind.MARRIAGE,
            "Civil affairs (marriage registration)",
            (
                FieldSpec(
                    "event",
                    _("Event"),
                    "婚姻登记类型",
                    T.CODE,
                    True,
                    S.PERSONAL,
                    MARRIAGE_EVENTS,
                ),
                FieldSpec(
                    "event_date",
                    _("Registration date"),
                    "登记日期",
                    T.DATE,
                    True,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "spouse_resident_id",
                    _("Spouse's resident ID"),
                    "配偶公民身份号码",
                    T.RESIDENT_ID,
                    False,
                    S.SENSITIVE,
                ),
            ),
            (FactRule("event", "=marriage", "event_date", code="event"),),
        ),
        _feed(
            FeedKind.WAGES_TAX,
            "Tax (individual income tax withholding)",
            (
                FieldSpec(
                    "pay_month", _("Pay month"), "所属期", T.MONTH, True, S.PERSONAL
                ),
                FieldSpec(
                    "gross_wage",
                    _("Gross wage (yuan)"),
                    "收入额",
                    T.AMOUNT,
                    True,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "tax_paid",
                    _("Tax paid (yuan)"),
                    "已缴税额",
                    T.AMOUNT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "employer",
                    _("Employer"),
                    "扣缴义务人名称",
                    T.TEXT,
                    False,
                    S.PERSONAL,
                ),
            ),
            (
                FactRule(
                    "income",
                    "=wages",
                    "pay_month",
                    amount="gross_wage",
                    valid_to="+1 month",
                ),
            ),
        ),
        _feed(
            FeedKind.SOCIAL_INSURANCE,
            "Human resources and social security (benefits)",
            (
                FieldSpec(
                    "benefit_type",
                    _("Benefit type"),
                    "待遇类别",
                    T.CODE,
                    True,
                    S.PERSONAL,
                    tuple(BENEFIT_INCOME_KINDS),
                ),
                FieldSpec(
                    "monthly_amount",
                    _("Monthly amount (yuan)"),
                    "月待遇金额",
                    T.AMOUNT,
                    True,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "start_date",
                    _("Paid from"),
                    "待遇开始日期",
                    T.DATE,
                    True,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "end_date",
                    _("Paid until"),
                    "待遇终止日期",
                    T.DATE,
                    False,
                    S.PERSONAL,
                    ends_validity=True,
                ),
            ),
            (
                FactRule(
                    "income",
                    "benefit_type",
                    "start_date",
                    amount="monthly_amount",
                    valid_to="end_date",
                    item_map=BENEFIT_INCOME_KINDS,
                ),
            ),
            ranges=(("start_date", "end_date"),),
        ),
        _feed(
            FeedKind.UNEMPLOYMENT,
            "Human resources and social security (unemployment)",
            (
                FieldSpec(
                    "status",
                    _("Registration status"),
                    "失业登记状态",
                    T.CODE,
                    True,
                    S.PERSONAL,
                    UNEMPLOYMENT_STATUSES,
                ),
                FieldSpec(
                    "registered_on",
                    _("Status since"),
                    "登记日期",
                    T.DATE,
                    True,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "benefit_monthly",
                    _("Unemployment benefit per month (yuan)"),
                    "失业保险金月标准",
                    T.AMOUNT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "benefit_until",
                    _("Benefit paid until"),
                    "失业保险金领取截止日期",
                    T.DATE,
                    False,
                    S.PERSONAL,
                    ends_validity=True,
                ),
            ),
            (
                FactRule("status", "=unemployment", "registered_on", code="status"),
                FactRule(
                    "income",
                    "=benefit",
                    "registered_on",
                    amount="benefit_monthly",
                    valid_to="benefit_until",
                    when="benefit_monthly",
                ),
            ),
            ranges=(("registered_on", "benefit_until"),),
        ),
        _feed(
            FeedKind.REAL_ESTATE,
            "Natural resources (real estate registry)",
            (
                FieldSpec(
                    "certificate_number",
                    _("Certificate number"),
                    "不动产权证号",
                    T.TEXT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "floor_area_m2",
                    _("Floor area (m²)"),
                    "建筑面积",
                    T.DECIMAL,
                    True,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "assessed_value",
                    _("Assessed value (yuan)"),
                    "评估价值",
                    T.AMOUNT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "registered_on",
                    _("Registered on"),
                    "登簿日期",
                    T.DATE,
                    True,
                    S.PERSONAL,
                ),
            ),
            (
                FactRule(
                    "asset",
                    "=housing",
                    "registered_on",
                    amount="assessed_value",
                    quantity="floor_area_m2",
                ),
            ),
        ),
        _feed(
            FeedKind.VEHICLE,
            "Public security (vehicle administration)",
            (
                FieldSpec(
                    "plate_number",
                    _("Plate number"),
                    "号牌号码",
                    T.TEXT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "vehicle_type",
                    _("Vehicle type"),
                    "车辆类型",
                    T.CODE,
                    True,
                    S.PERSONAL,
                    VEHICLE_TYPES,
                ),
                FieldSpec(
                    "value",
                    _("Estimated value (yuan)"),
                    "车辆价值",
                    T.AMOUNT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "registered_on",
                    _("Registered on"),
                    "注册登记日期",
                    T.DATE,
                    True,
                    S.PERSONAL,
                ),
            ),
            (
                FactRule(
                    "asset",
                    "=vehicle",
                    "registered_on",
                    amount="value",
                    quantity="=1",
                    code="vehicle_type",
                ),
            ),
        ),
        _feed(
            FeedKind.FINANCIAL_ASSET,
            "Banks, insurers, securities firms and internet finance",
            (
                FieldSpec(
                    "asset_type",
                    _("Asset type"),
                    "金融资产类别",
                    T.CODE,
                    True,
                    S.SENSITIVE,
                    FINANCIAL_ASSET_TYPES,
                ),
                FieldSpec(
                    "institution",
                    _("Institution"),
                    "金融机构名称",
                    T.TEXT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "balance",
                    _("Balance or value (yuan)"),
                    "余额",
                    T.AMOUNT,
                    True,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "as_of", _("Balance date"), "查询日期", T.DATE, True, S.PERSONAL
                ),
            ),
            (FactRule("asset", "asset_type", "as_of", amount="balance"),),
        ),
        _feed(
            FeedKind.BUSINESS_REGISTRATION,
            "Market regulation (business registration)",
            (
                FieldSpec(
                    "business_status",
                    _("Registration status"),
                    "登记状态",
                    T.CODE,
                    True,
                    S.INTERNAL,
                    BUSINESS_STATUSES,
                ),
                FieldSpec(
                    "registered_capital",
                    _("Registered capital (yuan)"),
                    "注册资本",
                    T.AMOUNT,
                    False,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "registered_on",
                    _("Registered on"),
                    "成立日期",
                    T.DATE,
                    True,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "deregistered_on",
                    _("Deregistered on"),
                    "注销日期",
                    T.DATE,
                    False,
                    S.PERSONAL,
                    ends_validity=True,
                ),
            ),
            (
                FactRule(
                    "asset",
                    "=business",
                    "registered_on",
                    amount="registered_capital",
                    code="business_status",
                    valid_to="deregistered_on",
                ),
            ),
            ranges=(("registered_on", "deregistered_on"),),
        ),
        _feed(
            FeedKind.HOUSING_FUND,
            "Housing provident fund centre",
            (
                FieldSpec(
                    "balance",
                    _("Account balance (yuan)"),
                    "账户余额",
                    T.AMOUNT,
                    True,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "monthly_contribution",
                    _("Monthly contribution (yuan)"),
                    "月缴存额",
                    T.AMOUNT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "as_of", _("Balance date"), "查询日期", T.DATE, True, S.PERSONAL
                ),
            ),
            (FactRule("asset", "=housing_fund", "as_of", amount="balance"),),
        ),
        _feed(
            FeedKind.MEDICAL_CLAIM,
            "Medical insurance",
            (
                FieldSpec(
                    "settled_on",
                    _("Settlement date"),
                    "结算日期",
                    T.DATE,
                    True,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "total_cost",
                    _("Total cost (yuan)"),
                    "医疗费用总额",
                    T.AMOUNT,
                    True,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "out_of_pocket",
                    _("Out-of-pocket cost (yuan)"),
                    "个人自付金额",
                    T.AMOUNT,
                    True,
                    S.SENSITIVE,
                ),
            ),
            (
                FactRule(
                    "spending",
                    "=medical_out_of_pocket",
                    "settled_on",
                    amount="out_of_pocket",
                ),
            ),
        ),
        _feed(
            FeedKind.DISABILITY_CERTIFICATE,
            "Disabled persons' federation",
            (
                FieldSpec(
                    "certificate_number",
                    _("Certificate number"),
                    "残疾人证号",
                    T.TEXT,
                    False,
                    S.SENSITIVE,
                ),
                FieldSpec(
                    "category",
                    _("Disability category"),
                    "残疾类别",
                    T.CODE,
                    True,
                    S.SENSITIVE,
                    DISABILITY_CATEGORIES,
                ),
                FieldSpec(
                    "grade",
                    _("Disability grade"),
                    "残疾等级",
                    T.CODE,
                    True,
                    S.SENSITIVE,
                    DISABILITY_GRADES,
                ),
                FieldSpec(
                    "issued_on", _("Issued on"), "发证日期", T.DATE, True, S.PERSONAL
                ),
                FieldSpec(
                    "valid_until",
                    _("Valid until"),
                    "有效期至",
                    T.DATE,
                    False,
                    S.PERSONAL,
                    ends_validity=True,
                ),
            ),
            (
                FactRule(
                    "status",
                    "=disability",
                    "issued_on",
                    code="category",
                    quantity="grade",
                    valid_to="valid_until",
                ),
            ),
            ranges=(("issued_on", "valid_until"),),
        ),
        _feed(
            FeedKind.SCHOOL_ENROLMENT,
            "Education",
            (
                FieldSpec(
                    "school_level",
                    _("School level"),
                    "学段",
                    T.CODE,
                    True,
                    S.SENSITIVE,
                    SCHOOL_LEVELS,
                ),
                FieldSpec(
                    "status",
                    _("Enrolment status"),
                    "学籍状态",
                    T.CODE,
                    True,
                    S.SENSITIVE,
                    SCHOOL_STATUSES,
                ),
                FieldSpec(
                    "term_start",
                    _("Term start"),
                    "学期开始日期",
                    T.DATE,
                    True,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "fees",
                    _("Fees for the term (yuan)"),
                    "学杂费",
                    T.AMOUNT,
                    False,
                    S.SENSITIVE,
                ),
            ),
            (
                FactRule(
                    "status",
                    "school_level",
                    "term_start",
                    code="status",
                    item_map=dict.fromkeys(SCHOOL_LEVELS, "schooling"),
                ),
                FactRule(
                    "spending",
                    "=education",
                    "term_start",
                    amount="fees",
                    code="school_level",
                    when="fees",
                ),
            ),
        ),
        _feed(
            FeedKind.UTILITY_ARREARS,
            "Water, power and gas utilities",
            (
                FieldSpec(
                    "utility",
                    _("Utility"),
                    "费用类别",
                    T.CODE,
                    True,
                    S.INTERNAL,
                    UTILITIES,
                ),
                FieldSpec(
                    "arrears",
                    _("Amount owed (yuan)"),
                    "欠费金额",
                    T.AMOUNT,
                    True,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "months_in_arrears",
                    _("Months in arrears"),
                    "欠费月数",
                    T.INTEGER,
                    True,
                    S.PERSONAL,
                ),
                FieldSpec(
                    "as_of", _("Arrears date"), "统计日期", T.DATE, True, S.PERSONAL
                ),
            ),
            (
                FactRule(
                    "status",
                    "=utility_arrears",
                    "as_of",
                    amount="arrears",
                    quantity="months_in_arrears",
                    code="utility",
                ),
            ),
        ),
    )
}

AMOUNT_FIELDS: Final = frozenset(
    spec.name
    for feed in FEEDS.values()
    for spec in feed.fields
    if spec.type == T.AMOUNT
)


def header_aliases(feed: FeedSpec) -> dict[str, str]:
    """Return header text → column name, for English names and element names."""
    aliases = {spec.name: spec.name for spec in feed.fields}
    aliases.update({spec.element: spec.name for spec in feed.fields})
    return aliases
