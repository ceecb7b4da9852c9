from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner / admin")
    MANAGER = "manager", _("Sales manager")
    SALES = "sales", _("Sales rep")
    MARKETING = "marketing", _("Marketing")
    FINANCE = "finance", _("Finance")
    READ_ONLY = "read_only", _("Read-only")


class DataScope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Own team")
    SUBTREE = "subtree", _("Team and sub-teams")
    WORKSPACE = "workspace", _("Whole workspace")


class TeamKind(models.TextChoices):
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    GROUP = "group", _("Group")


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    TOKEN = "token", _("API token")
    IMPORT = "import", _("Import")
    AUTOMATION = "automation", _("Automation")
    SYSTEM = "system", _("System")


class AuditVerb(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")
    TRANSITION = "transition", _("changed status")
    ACTION = "action", _("did")


DEFAULT_SCOPE_FOR_ROLE = {
    Role.OWNER: DataScope.WORKSPACE,
    Role.MANAGER: DataScope.SUBTREE,
    Role.SALES: DataScope.OWN,
    Role.MARKETING: DataScope.WORKSPACE,
    Role.FINANCE: DataScope.WORKSPACE,
    Role.READ_ONLY: DataScope.TEAM,
}
