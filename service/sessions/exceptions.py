from datetime import datetime

from service.core.errors import Conflict, InvalidInput, NotFound


class LocationNotFound(NotFound):
    code = "location_not_found"


class SessionNotFound(NotFound):
    code = "session_not_found"


class BookingNotFound(NotFound):
    code = "booking_not_found"


class SeatTaken(Conflict):
    code = "seat_taken"


class CaseAlreadyBooked(Conflict):
    code = "case_already_booked"


class SessionFull(Conflict):
    code = "session_full"


class WrongGroup(Conflict):
    """The 2020 failure: the wrong group brought, or no interpreter for their language."""

    code = "wrong_language_group"


class SessionInPast(Conflict):
    code = "session_in_past"


class SeatOutOfRange(InvalidInput):
    code = "seat_out_of_range"


class DuplicateLocation(Conflict):
    code = "duplicate_location"


class BookingCheckedIn(Conflict):
    code = "booking_checked_in"


class OutsideCheckInWindow(Conflict):
    code = "check_in_closed"


class RoomNotFound(NotFound):
    code = "room_not_found"


class SeatNotFound(NotFound):
    code = "seat_not_found"


class DuplicateRoom(Conflict):
    code = "duplicate_room"


class RoomTooSmall(InvalidInput):
    code = "room_too_small"

    def __init__(self, detail: str, available: int = 0) -> None:
        super().__init__(detail)
        self.available = available


class SessionCancelled(Conflict):
    code = "session_cancelled"


class BookingClosed(Conflict):
    """A cancelled, moved or no-show booking is history: it cannot change."""

    code = "booking_closed"


class IdentityMismatch(Conflict):
    code = "identity_mismatch"

    def __init__(self, detail: str, fields: list[str]) -> None:
        super().__init__(detail)
        self.fields = fields  # which of applicant_name, date_of_birth, v_number


class NotCheckedIn(Conflict):
    code = "not_checked_in"


class NotAtTheKiosk(Conflict):
    code = "not_at_the_kiosk"


class TooEarlyForNoShow(Conflict):
    code = "too_early_for_no_show"


class RoomTaken(Conflict):
    """Double booking of a room: another session uses it at that time."""

    code = "room_taken"

    def __init__(self, detail: str, starts_at: datetime, ends_at: datetime) -> None:
        super().__init__(detail)
        self.starts_at = starts_at  # the other session's time, for the page
        self.ends_at = ends_at


class SessionChanged(Conflict):
    """Someone else saved the session since this form was opened."""

    code = "concurrent_change"


class FewerSeatsThanBooked(InvalidInput):
    code = "fewer_seats_than_booked"


class LanguageFixed(Conflict):
    """The group's language cannot change once applicants of it are booked."""

    code = "language_fixed"


class UnknownVNumber(InvalidInput):
    """The planner typed a V-number of no case they may see."""

    code = "unknown_v_number"


class AssistedFillingNotAllowed(Conflict):
    """The case's eligibility policy does not let anyone type for the applicant."""

    code = "assisted_filling_not_allowed"


class AssistConsentMissing(InvalidInput):
    """Nobody types for the applicant without their consent on record."""

    code = "assist_consent_missing"


class NoInterpreterToAssist(Conflict):
    code = "no_interpreter_to_assist"
