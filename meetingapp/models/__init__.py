"""Persistence only: one module per aggregate. Importing this package registers every table."""

from meetingapp.models.audit import AuditEntry
from meetingapp.models.certificate import Certificate, CertificateTemplate, CertificateText
from meetingapp.models.checkin import CheckIn
from meetingapp.models.event import (
    AgendaItem,
    Event,
    EventSession,
    NetworkingRound,
    SessionKind,
    TopicTable,
)
from meetingapp.models.feedback import (
    FeedbackAnswer,
    FeedbackInvite,
    FeedbackQuestion,
    FeedbackResponse,
    FeedbackSurvey,
    FeedbackTableTally,
)
from meetingapp.models.live import LiveAbsence, LiveSession
from meetingapp.models.organisation import FocalPoint, Organisation
from meetingapp.models.outbox import DeliveryAttempt, OutboxMessage
from meetingapp.models.registration import (
    Notification,
    Registration,
    RegistrationLog,
    RegistrationStatus,
)
from meetingapp.models.rotation import RotationAssignment, RotationPlan, TablePick
from meetingapp.models.token import ApiToken
from meetingapp.models.user import Role, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Certificate",
    "CertificateTemplate",
    "CertificateText",
    "CheckIn",
    "DeliveryAttempt",
    "OutboxMessage",
    "AgendaItem",
    "Event",
    "EventSession",
    "FeedbackAnswer",
    "FeedbackInvite",
    "FeedbackQuestion",
    "FeedbackResponse",
    "FeedbackSurvey",
    "FeedbackTableTally",
    "FocalPoint",
    "LiveAbsence",
    "LiveSession",
    "NetworkingRound",
    "Notification",
    "Organisation",
    "Registration",
    "RegistrationLog",
    "RegistrationStatus",
    "Role",
    "RotationAssignment",
    "RotationPlan",
    "TablePick",
    "SessionKind",
    "TopicTable",
    "User",
]
