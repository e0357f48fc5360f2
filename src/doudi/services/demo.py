"""A synthetic service catalogue for the demo city.

Every organisation name starts with "演示·" (demo) and every street address
is on 演示路 (Demo Road), so no record can be taken for a real organisation.
Phone numbers have a local part starting with 0, which no Chinese landline
number has. Ids come from the seed, so seeding again changes nothing.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from doudi.registry.models import Region
from doudi.services import hsds_out, taxonomy
from doudi.services.choices import Category, OrganizationType, ServiceStatus
from doudi.services.loading import ImportReport, import_file

# The demo catalogue's timestamps: fixed, so that seeding twice is unchanged.
STAMP: Final = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# Centre of the demo city's coordinates (Shanghai, WGS 84).
CENTRE: Final = (31.2304, 121.4737)
WEEKDAYS: Final = "MO,TU,WE,TH,FR"

C = Category


@dataclass(frozen=True)
class DemoService:
    name: str
    english: str
    categories: tuple[str, ...]
    eligibility: str
    capacity_unit: str = ""


@dataclass(frozen=True)
class DemoKind:
    organization_type: str
    name: str
    english: str
    district_level: bool
    services: tuple[DemoService, ...]


KINDS: Final = (
    DemoKind(
        OrganizationType.GOVERNMENT,
        "社会救助服务窗口",
        "social assistance desk",
        True,
        (
            DemoService(
                "临时救助受理",
                "Temporary assistance",
                (C.LIVING_COSTS, C.EMERGENCY),
                "本区常住的困难家庭",
            ),
            DemoService(
                "医疗救助咨询",
                "Medical assistance advice",
                (C.ILLNESS,),
                "低保、特困和低收入家庭",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.GOVERNMENT,
        "就业援助服务站",
        "job assistance point",
        True,
        (
            DemoService(
                "就业困难人员帮扶",
                "Help for hard-to-employ jobseekers",
                (C.WORK,),
                "登记失业的本区居民",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.ENTERPRISE,
        "惠民药房",
        "low-cost pharmacy",
        False,
        (
            DemoService(
                "慢病药品优惠",
                "Discounted medicines for chronic illness",
                (C.ILLNESS,),
                "持有慢病证明的居民",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.ENTERPRISE,
        "职业技能培训中心",
        "vocational training centre",
        False,
        (
            DemoService(
                "免费技能培训",
                "Free skills courses",
                (C.WORK, C.SCHOOLING),
                "16至60岁求职者",
                "place",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.PEOPLES_ORGANIZATION,
        "残疾人联合会服务站",
        "disabled persons' federation point",
        True,
        (
            DemoService(
                "辅助器具适配", "Assistive devices", (C.DISABILITY,), "持残疾人证的居民"
            ),
            DemoService(
                "残疾人就业指导",
                "Job advice for disabled people",
                (C.DISABILITY, C.WORK),
                "持残疾人证、有就业意愿的居民",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.PEOPLES_ORGANIZATION,
        "妇女儿童之家",
        "women and children's home",
        False,
        (
            DemoService(
                "困境儿童托管",
                "After-school care for children in difficulty",
                (C.CARE, C.SCHOOLING),
                "6至14岁儿童",
                "place",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.COMMUNITY,
        "长者食堂",
        "elders' canteen",
        False,
        (
            DemoService(
                "老年助餐",
                "Meals for older people",
                (C.CARE, C.LIVING_COSTS),
                "60岁以上老人，高龄独居优先",
                "place",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.COMMUNITY,
        "邻里互助会",
        "neighbours' mutual aid group",
        False,
        (
            DemoService(
                "独居老人探访",
                "Visits to older people living alone",
                (C.CARE,),
                "独居或空巢老人",
                "visit",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.CHARITY,
        "助学基金会",
        "school bursary foundation",
        False,
        (
            DemoService(
                "困难学生助学金",
                "Bursaries for students in need",
                (C.SCHOOLING, C.LIVING_COSTS),
                "低保、低收入家庭在读学生",
                "place",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.CHARITY,
        "慈善超市",
        "charity shop",
        False,
        (
            DemoService(
                "爱心物资领取",
                "Free goods for families in need",
                (C.LIVING_COSTS, C.EMERGENCY),
                "持救助证明的家庭",
            ),
            DemoService(
                "冬季御寒包",
                "Winter warmth packs",
                (C.EMERGENCY,),
                "受灾或生活困难家庭",
                "place",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.SOCIAL_WORK,
        "社会工作服务中心",
        "social work centre",
        False,
        (
            DemoService(
                "个案帮扶",
                "Casework support",
                (C.LIVING_COSTS, C.HOUSING),
                "遇到困难的居民和家庭",
            ),
            DemoService(
                "危机干预", "Crisis support", (C.EMERGENCY,), "遭遇突发困难的居民"
            ),
        ),
    ),
    DemoKind(
        OrganizationType.SOCIAL_WORK,
        "居家养老服务社",
        "home care service",
        False,
        (
            DemoService(
                "上门照护",
                "Care at home",
                (C.CARE, C.DISABILITY, C.ILLNESS),
                "失能、半失能老人",
                "hour",
            ),
        ),
    ),
    DemoKind(
        OrganizationType.CHARITY,
        "安居帮扶站",
        "housing help point",
        False,
        (
            DemoService(
                "住房修缮帮扶",
                "Home repairs for families in need",
                (C.HOUSING,),
                "住房困难的低保、特困家庭",
                "place",
            ),
        ),
    ),
)


class DemoCatalogueError(RuntimeError):
    """The demo catalogue cannot be built; the message names the fix."""


def seed_catalogue(seed: int = 1, organizations: int = 40) -> ImportReport:
    """Create (or leave unchanged) a synthetic catalogue across the districts.

    Raises DemoCatalogueError when the registry has no districts.
    """
    districts = list(Region.objects.filter(level="district").order_by("code"))
    if not districts:
        raise DemoCatalogueError(
            _("The registry has no districts: run `doudi synth` first.")
        )
    rng = random.Random(seed)
    document = [
        _organization(seed, index, districts[index % len(districts)], rng)
        for index in range(organizations)
    ]
    _number_repeated_names(document)
    content = json.dumps(document, ensure_ascii=False).encode()
    report = import_file(None, content, "demo-catalogue.json")
    if not report.ok:
        raise DemoCatalogueError("; ".join(str(p) for p in report.problems[:5]))
    return report


def _number_repeated_names(document: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for organization in document:
        name = organization["name"]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            organization["name"] = f"{name}（{seen[name]}）"


def _id(seed: int, *parts: object) -> str:
    name = ":".join(str(part) for part in ("demo", seed, *parts))
    return str(uuid.uuid5(taxonomy.NAMESPACE, name))


def _home(district: Region, rng: random.Random) -> Region:
    communities = list(
        Region.objects.filter(path__startswith=district.path, level="community")
        .order_by("code")
        .values_list("pk", flat=True)
    )
    if not communities:
        return district
    return Region.objects.get(pk=rng.choice(communities))


def _organization(
    seed: int, index: int, district: Region, rng: random.Random
) -> dict[str, Any]:
    kind = KINDS[index % len(KINDS)]
    home = _home(district, rng)
    region = district if kind.district_level else home
    org_id = _id(seed, "organization", index)
    place = _location(seed, index, org_id, home, rng)
    return {
        "id": org_id,
        "name": f"演示·{region.name}{kind.name}",
        "alternate_name": f"Demo {kind.english} ({region.code})",
        "description": f"演示数据：{kind.name}，服务{region.name}的居民。",
        "email": f"demo{index:02d}@example.org",
        "website": None,
        "attributes": [
            _attribute(
                org_id,
                "organization",
                taxonomy.ORGANIZATION_TYPE_TAXONOMY,
                kind.organization_type,
                hsds_out.choice_name(OrganizationType, kind.organization_type),
            ),
            _attribute(
                org_id,
                "organization",
                taxonomy.REGION_TAXONOMY,
                region.code,
                region.name,
            ),
        ],
        "phones": [_phone(seed, index, "organization", org_id)],
        "contacts": [
            {
                "id": _id(seed, "contact", index),
                "name": "服务台",
                "title": "接待窗口",
                "department": kind.name,
            }
        ],
        "locations": [place],
        "services": [
            _service(seed, index, number, org_id, place["id"], item)
            for number, item in enumerate(kind.services)
        ],
    }


def _attribute(
    link_id: str, entity: str, taxonomy_name: str, code: str, name: str
) -> dict[str, Any]:
    found = hsds_out.term(taxonomy.Term(taxonomy_name, code), name)
    link_type = {
        taxonomy.CATEGORY_TAXONOMY: taxonomy.LINK_CATEGORY,
        taxonomy.ORGANIZATION_TYPE_TAXONOMY: taxonomy.LINK_ORGANIZATION_TYPE,
    }.get(taxonomy_name, taxonomy.LINK_REGION)
    return hsds_out.attribute(uuid.UUID(link_id), entity, link_type, found)


def _phone(seed: int, index: int, owner: str, owner_id: str) -> dict[str, Any]:
    return {
        "id": _id(seed, "phone", owner, owner_id),
        f"{owner}_id": owner_id,
        "number": f"021-0{index:03d}-{sum(map(ord, owner_id)) % 10000:04d}",
        "type": "voice",
    }


def _location(
    seed: int, index: int, org_id: str, home: Region, rng: random.Random
) -> dict[str, Any]:
    location_id = _id(seed, "location", index)
    city = Region.objects.filter(level="city").first()
    city_name = city.name if city else "上海市"
    return {
        "id": location_id,
        "location_type": "physical",
        "organization_id": org_id,
        "name": f"{home.name}服务点",
        "transportation": "公交或地铁可达；演示数据。",
        "latitude": round(CENTRE[0] + rng.uniform(-0.2, 0.2), 6),
        "longitude": round(CENTRE[1] + rng.uniform(-0.2, 0.2), 6),
        "addresses": [
            {
                "id": _id(seed, "address", index),
                "address_1": f"演示路{index + 1}号",
                "city": city_name,
                "region": home.name,
                "state_province": city_name,
                "postal_code": "200000",
                "country": "CN",
                "address_type": "physical",
            }
        ],
        "accessibility": [
            {
                "id": str(hsds_out.accessibility_id(uuid.UUID(location_id))),
                "description": "无障碍坡道，一楼办理。",
            }
        ],
        "attributes": [
            _attribute(
                location_id, "location", taxonomy.REGION_TAXONOMY, home.code, home.name
            )
        ],
    }


def _service(
    seed: int,
    index: int,
    number: int,
    org_id: str,
    location_id: str,
    item: DemoService,
) -> dict[str, Any]:
    service_id = _id(seed, "service", index, number)
    status = (
        ServiceStatus.TEMPORARILY_CLOSED if index % 17 == 16 else ServiceStatus.ACTIVE
    )
    return {
        "id": service_id,
        "name": item.name,
        "alternate_name": item.english,
        "description": f"演示数据：{item.name}。",
        "status": status,
        "eligibility_description": item.eligibility,
        "application_process": "携带身份证到服务点登记，或请社区工作者代为申请。",
        "fees_description": "免费",
        "last_modified": STAMP.isoformat(),
        "attributes": [
            _attribute(
                service_id,
                "service",
                taxonomy.CATEGORY_TAXONOMY,
                code,
                hsds_out.choice_name(Category, code),
            )
            for code in item.categories
        ],
        "service_at_locations": [
            {"id": _id(seed, "at", index, number), "location_id": location_id}
        ],
        "schedules": [_schedule(seed, index, number, service_id)],
        "capacities": _capacity(seed, index, number, item),
        "required_documents": [
            {"id": _id(seed, "document", index, number), "document": "居民身份证"}
        ],
    }


def _schedule(seed: int, index: int, number: int, service_id: str) -> dict[str, Any]:
    return {
        "id": _id(seed, "schedule", index, number),
        "freq": "WEEKLY",
        "byday": WEEKDAYS if index % 3 else WEEKDAYS + ",SA",
        "opens_at": "09:00+08:00",
        "closes_at": "17:00+08:00" if index % 2 else "16:30+08:00",
        "timezone": 8,
    }


def _capacity(
    seed: int, index: int, number: int, item: DemoService
) -> list[dict[str, Any]]:
    if not item.capacity_unit:
        return []
    maximum = 10 + (index * 7 + number) % 30
    return [
        {
            "id": _id(seed, "capacity", index, number),
            "unit": hsds_out.unit(item.capacity_unit),
            "available": (index * 5 + number) % (maximum + 1),
            "maximum": maximum,
            "updated": STAMP.isoformat(),
        }
    ]
