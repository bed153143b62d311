"""lightsail-stub: a test double for Amazon Lightsail's relational-database snapshot API.

It hooks botocore's event system, so the code under test keeps its real
``boto3.client("lightsail")``; every call is answered offline, after the documented rules are
checked, with schema-correct responses parsed by botocore itself.
"""

from ._dispatch import Call
from ._errors import (
    LightsailStubError,
    ScenarioError,
    UnhandledOperationError,
    UnsupportedRegionError,
    UnusedScenarioError,
)
from ._rules import (
    MODEL_PATTERN_RULES,
    REFERENCE_RULES,
    Chars,
    Edges,
    Length,
    MaxCount,
    NoPrefix,
    Pattern,
    Rule,
    RuleSet,
    UniqueKeys,
)
from ._stub import LightsailStub, mock_lightsail
from ._world import Database, Operation, Snapshot

__all__ = [
    "MODEL_PATTERN_RULES",
    "REFERENCE_RULES",
    "Call",
    "Chars",
    "Database",
    "Edges",
    "Length",
    "LightsailStub",
    "LightsailStubError",
    "MaxCount",
    "NoPrefix",
    "Operation",
    "Pattern",
    "Rule",
    "RuleSet",
    "ScenarioError",
    "Snapshot",
    "UnhandledOperationError",
    "UniqueKeys",
    "UnsupportedRegionError",
    "UnusedScenarioError",
    "mock_lightsail",
]
