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
