"""The usager satisfaction survey (a room: the signed link and the one response it accepts in
services.py, the public page in views.py, the invitation task in tasks.py)."""

from .services import (
    MAX_COMMENT_LENGTH,
    SALT,
    SurveyLinkError,
    satisfaction_record,
    survey_case_from_token,
    survey_invite,
    survey_token,
    survey_url,
)

__all__ = [
    "MAX_COMMENT_LENGTH",
    "SALT",
    "SurveyLinkError",
    "satisfaction_record",
    "survey_case_from_token",
    "survey_invite",
    "survey_token",
    "survey_url",
]
