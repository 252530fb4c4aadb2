"""HipCheck's history: sitting intervals and events in SQLite, filed under local days."""

from hipcheck.store.db import (
    SCHEMA_VERSION,
    DayRecords,
    IntervalSource,
    RecordingSink,
    Store,
    StoredEvent,
    StoredInterval,
    StoreError,
)

__all__ = [
    "SCHEMA_VERSION",
    "DayRecords",
    "IntervalSource",
    "RecordingSink",
    "Store",
    "StoreError",
    "StoredEvent",
    "StoredInterval",
]
