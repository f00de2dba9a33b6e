"""Every model, imported here so the metadata is complete for create_all and Alembic."""

from registry.models.activities import Activity, ActivityCategory
from registry.models.audit import AuditEntry
from registry.models.awards import Decision, Recognition
from registry.models.criteria_uploads import CriteriaUpload, UploadStatus
from registry.models.evaluation import Assessment, EvaluationResult
from registry.models.jobs import Job
from registry.models.people import Citizen, Clan, Household, Organisation, OrganisationMember
from registry.models.units import AdminUnit, UnitLevel, UnitMapping
from registry.models.users import ApiToken, Role, User

__all__ = [
    "Activity",
    "ActivityCategory",
    "AdminUnit",
    "ApiToken",
    "Assessment",
    "AuditEntry",
    "Citizen",
    "Clan",
    "CriteriaUpload",
    "Decision",
    "EvaluationResult",
    "Household",
    "Job",
    "Organisation",
    "OrganisationMember",
    "Recognition",
    "Role",
    "UnitLevel",
    "UnitMapping",
    "UploadStatus",
    "User",
]
