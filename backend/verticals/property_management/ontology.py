"""The property-management ontology: who rents or owns which property, repairs with their
status over time, and accounts questions. ``Property`` is the sales line's entity: both
lines talk about the same homes."""

from __future__ import annotations

from backend.verticals.property_management import episodes as ep
from memory.callers import caller
from memory.ontology import Entity, EntityType, FactEvent, FactType, Ontology, Ref, Translation, Value, about


def _tenancy(e: ep.TenancyStated, region: str) -> Translation:
    me, home = caller(e.caller_id), Ref("Property", e.property_id)
    fact = "RENTS" if e.role == "renter" else "OWNS_PROPERTY"
    verb = "rents" if e.role == "renter" else "owns"
    return Translation(
        facts=[
            FactEvent(
                fact,
                me,
                home,
                f"The caller {verb} {e.address or 'property ' + e.property_id}",
                f"{verb} a property",
                e.property_id,
            )
        ],
        mentions=[me, home],
        requires=[me, home],
    )


def _reported(e: ep.RepairReported, region: str) -> Translation:
    me, home, job = caller(e.caller_id), Ref("Property", e.property_id), Ref("Repair", e.repair_id)
    attributes: dict[str, Value] = {"repair_id": e.repair_id, "reference": e.reference, "urgency": e.urgency}
    article = "an" if e.urgency == "urgent" else "a"
    return Translation(
        entities=[Entity(job, e.reference, attributes)],
        facts=[
            FactEvent(
                "REPORTED_ISSUE",
                me,
                job,
                f"The caller reported {article} {e.urgency} repair ({e.reference}): {e.issue}",
                f"reported {article} {e.urgency} repair: {e.issue}",
                e.reference,
            ),
            FactEvent(
                "REPAIR_OF",
                job,
                home,
                f"Repair {e.reference} is at {e.address or 'property ' + e.property_id}",
                "repair at a property",
                e.property_id,
            ),
            FactEvent(
                "REPAIR_STATUS",
                job,
                job,
                f"Repair {e.reference} is reported",
                "repair is reported",
                "reported",
            ),
        ],
        mentions=[me, job, home],
        requires=[me, home],
    )


def _dispatched(e: ep.RepairDispatched, region: str) -> Translation:
    who = f" ({e.trade})" if e.trade else ""
    return about(
        Ref("Repair", e.repair_id),
        "REPAIR_STATUS",
        f"A trade was sent to the repair{who}",
        "repair is dispatched",
        "dispatched",
    )


def _completed(e: ep.RepairCompleted, region: str) -> Translation:
    return about(
        Ref("Repair", e.repair_id),
        "REPAIR_STATUS",
        "The repair was completed",
        "repair is completed",
        "completed",
    )


def _accounts(e: ep.ArrearsQuery, region: str) -> Translation:
    me = caller(e.caller_id)
    detail = f": {e.detail}" if e.detail else ""
    return Translation(
        facts=[
            FactEvent(
                "ASKED_ABOUT",
                me,
                me,
                f"The caller asked about {e.topic}{detail}",
                f"asked about {e.topic}",
                e.topic,
            )
        ],
        mentions=[me],
        requires=[me],
    )


ONTOLOGY = Ontology(
    entity_types=(EntityType("Property", durable=True), EntityType("Repair")),
    fact_types=(
        FactType("RENTS", "pair"),
        FactType("OWNS_PROPERTY", "pair"),
        FactType("REPORTED_ISSUE", "object", owned=True),
        FactType("REPAIR_OF", "subject"),
        FactType("REPAIR_STATUS", "subject", identifying=False),
        FactType("ASKED_ABOUT", "episode", identifying=False),
    ),
    episodes={
        ep.TenancyStated: _tenancy,
        ep.RepairReported: _reported,
        ep.RepairDispatched: _dispatched,
        ep.RepairCompleted: _completed,
        ep.ArrearsQuery: _accounts,
    },
)
