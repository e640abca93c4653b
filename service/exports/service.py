"""The event log as files for analysts: XES (IEEE 1849-2016, for process-mining tools)
and CSV (for a spreadsheet), both from ``queries.event_log`` and so both without
personal data."""

from collections.abc import Iterable, Iterator
from datetime import datetime

from lxml import etree
from sqlalchemy.orm import Session

from service.core.spreadsheet import csv_text
from service.exports.queries import LIFECYCLE, LogCase, event_log

XES_NAMESPACE = "http://www.xes-standard.org/"
# The standard extensions the attributes below come from (IEEE 1849, clause 7).
EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)
CSV_HEADER = (
    "case_id",
    "activity",
    "timestamp",
    "resource",
    "lifecycle",
    "state",
    "nationality",
    "track",
    "outcome",
)


def _timestamp(moment: datetime) -> str:
    """ISO 8601 with milliseconds and the zone (UTC), as XES's xs:dateTime."""
    return moment.isoformat(timespec="milliseconds")


def _attribute(parent: etree._Element, tag: str, key: str, value: str) -> None:
    etree.SubElement(parent, tag, key=key, value=value)


def xes_document(cases: Iterable[LogCase]) -> bytes:
    """One ``<log>``: per case a ``<trace>`` with the case attributes, per step an
    ``<event>`` with concept:name, time:timestamp, org:resource (the role) and
    lifecycle:transition."""
    log = etree.Element(
        "log",
        nsmap={None: XES_NAMESPACE},
        attrib={"xes.version": "1849-2016", "xes.features": "nested-attributes"},
    )
    for name, prefix, uri in EXTENSIONS:
        etree.SubElement(log, "extension", name=name, prefix=prefix, uri=uri)
    trace_defaults = etree.SubElement(log, "global", scope="trace")
    _attribute(trace_defaults, "string", "concept:name", "UNKNOWN")
    event_defaults = etree.SubElement(log, "global", scope="event")
    for key in ("concept:name", "org:resource", "lifecycle:transition"):
        _attribute(event_defaults, "string", key, "UNKNOWN")
    _attribute(event_defaults, "date", "time:timestamp", "1970-01-01T00:00:00.000+00:00")
    etree.SubElement(log, "classifier", name="Activity", keys="concept:name")
    _attribute(log, "string", "concept:name", "written hearing: event log")
    for case in cases:
        trace = etree.SubElement(log, "trace")
        _attribute(trace, "string", "concept:name", case.case_id)
        _attribute(trace, "string", "nationality", case.nationality)
        _attribute(trace, "string", "track", case.track)
        _attribute(trace, "string", "outcome", case.outcome)
        for step in case.events:
            event = etree.SubElement(trace, "event")
            _attribute(event, "string", "concept:name", step.activity)
            _attribute(event, "date", "time:timestamp", _timestamp(step.at))
            _attribute(event, "string", "org:resource", step.resource)
            _attribute(event, "string", "lifecycle:transition", LIFECYCLE)
            _attribute(event, "string", "state", step.state)
    return etree.tostring(log, xml_declaration=True, encoding="UTF-8", pretty_print=True)  # type: ignore[no-any-return]


def events_xes(db: Session) -> bytes:
    return xes_document(event_log(db))


def _csv_rows(cases: Iterable[LogCase]) -> Iterator[tuple[str, ...]]:
    for case in cases:
        for step in case.events:
            yield (
                case.case_id,
                step.activity,
                _timestamp(step.at),
                step.resource,
                LIFECYCLE,
                step.state,
                case.nationality,
                case.track,
                case.outcome,
            )


def events_csv(db: Session) -> str:
    """The same events, one row each, the case attributes repeated on every row."""
    return csv_text(CSV_HEADER, _csv_rows(event_log(db)))
