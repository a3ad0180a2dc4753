"""Switchboard memory: the bi-temporal caller graph on Graphiti's data model.

This package imports nothing else of Switchboard; callers pass settings in.
"""

import os

# Graphiti posts usage analytics unless told not to; nothing leaves the machine.
os.environ["GRAPHITI_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("EMBEDDING_DIM", "384")

from memory.engine import connect_graph, graph_version
from memory.episodes import (
    AppraisalRequested,
    BedroomsWanted,
    BookingAttended,
    BookingCancelled,
    BookingMade,
    BookingRescheduled,
    BudgetStated,
    CallCompleted,
    CallerIdentified,
    ContactChanged,
    Episode,
    Escalated,
    Handoff,
    IdentityVerified,
    ListingAdded,
    ListingSold,
    OptedOut,
    PossibleDuplicate,
    PriceChanged,
    PropertyInterest,
    PropertyInterestWithdrawn,
    SuburbPreferred,
    SuburbRetracted,
    Turn,
    parse_episode,
)
from memory.errors import (
    EpisodeConflict,
    InvalidEpisode,
    InvalidGroupId,
    MalformedPhone,
    MemoryInputError,
    UnknownEntity,
)
from memory.listings import Listing
from memory.memory import Memory
from memory.models import CallerContext, ErasureReceipt, Fact, Hit, Identification
from memory.record import Recorded

__all__ = [
    "AppraisalRequested",
    "BedroomsWanted",
    "BookingAttended",
    "BookingCancelled",
    "BookingMade",
    "BookingRescheduled",
    "BudgetStated",
    "CallCompleted",
    "CallerContext",
    "CallerIdentified",
    "ContactChanged",
    "Episode",
    "EpisodeConflict",
    "ErasureReceipt",
    "Escalated",
    "Fact",
    "Handoff",
    "Hit",
    "Identification",
    "IdentityVerified",
    "InvalidEpisode",
    "InvalidGroupId",
    "Listing",
    "ListingAdded",
    "ListingSold",
    "MalformedPhone",
    "Memory",
    "MemoryInputError",
    "OptedOut",
    "PossibleDuplicate",
    "PriceChanged",
    "PropertyInterest",
    "PropertyInterestWithdrawn",
    "Recorded",
    "SuburbPreferred",
    "SuburbRetracted",
    "Turn",
    "UnknownEntity",
    "connect_graph",
    "graph_version",
    "parse_episode",
]
