"""What each role may do. Visibility (which rows) is the data scope's job; this is which verbs."""

from __future__ import annotations

from enum import StrEnum

from .choices import Role


class Perm(StrEnum):
    WORKSPACE_MANAGE = "workspace.manage"  # settings, members, teams, numbering
    AUDIT_VIEW = "audit.view"
    RATES_MANAGE = "rates.manage"
    LEAD_VIEW = "lead.view"
    LEAD_CREATE = "lead.create"
    LEAD_EDIT = "lead.edit"
    LEAD_DELETE = "lead.delete"
    LEAD_ASSIGN = "lead.assign"  # hand leads to others, release anyone's lead to the pool
    LEAD_REOPEN = "lead.reopen"  # move an invalid lead back to new
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_CREATE = "customer.create"  # also: convert a lead into a new customer
    CUSTOMER_EDIT = "customer.edit"  # also: add or edit contacts, join a lead to a customer
    CUSTOMER_ASSIGN = "customer.assign"  # release anyone's customer to the pool, see all recycling
    CUSTOMER_DELETE = "customer.delete"  # delete customers (bulk action of the list)
    OPPORTUNITY_VIEW = "opportunity.view"
    OPPORTUNITY_CREATE = "opportunity.create"
    OPPORTUNITY_EDIT = "opportunity.edit"  # edit, move, tick stage tasks, close won/lost/invalid
    OPPORTUNITY_ASSIGN = "opportunity.assign"  # hand opportunities to others (bulk or one)
    OPPORTUNITY_REOPEN = "opportunity.reopen"  # reopen a closed opportunity
    OPPORTUNITY_DELETE = "opportunity.delete"
    PRODUCT_VIEW = "product.view"
    PRODUCT_MANAGE = "product.manage"  # create, edit, import, deactivate products and prices
    PIPELINE_MANAGE = "pipeline.manage"  # pipelines, stages, stage tasks, close reasons
    API_TOKEN = "api.token"
    TASK_VIEW = "task.view"
    TASK_EDIT = "task.edit"  # create tasks; change those you created or are assigned
    TASK_MANAGE = "task.manage"  # change the tasks of the people in your data scope
    COMMENT_CREATE = "comment.create"  # comment on the records you see; edit or delete your own
    GOAL_MANAGE = "goal.manage"  # set, change and delete goals (analytics)
    COMMISSION_MANAGE = "commission.manage"  # commission rules and tiers (analytics)
    AUTOMATION_MANAGE = "automation.manage"  # workflow rules, schedules, the job log
    WEBHOOK_MANAGE = "webhook.manage"  # webhook endpoints, deliveries, replay
    EMAIL_MANAGE = "email.manage"  # e-mail templates and the workspace mail account
    EMAIL_SEND = "email.send"  # send e-mail to the records you see; your own mail account
    PLAN_MANAGE = "plan.manage"  # step plan templates
    PLAN_RUN = "plan.run"  # start, pause, stop step plans on the records you see
    CAMPAIGN_MANAGE = "campaign.manage"  # e-mail campaigns, marketing lists, consent (campaigns)


_ALL = frozenset(Perm)
_VIEW = frozenset(
    {
        Perm.LEAD_VIEW,
        Perm.CUSTOMER_VIEW,
        Perm.OPPORTUNITY_VIEW,
        Perm.PRODUCT_VIEW,
        Perm.AUDIT_VIEW,
        Perm.API_TOKEN,
    }
)
_SELL = frozenset(
    {Perm.CUSTOMER_CREATE, Perm.CUSTOMER_EDIT, Perm.OPPORTUNITY_CREATE, Perm.OPPORTUNITY_EDIT}
)
_SALES_MANAGE = frozenset(
    {
        Perm.OPPORTUNITY_ASSIGN,
        Perm.OPPORTUNITY_REOPEN,
        Perm.OPPORTUNITY_DELETE,
        Perm.PRODUCT_MANAGE,
        Perm.PIPELINE_MANAGE,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OWNER: _ALL,
    Role.MANAGER: _VIEW
    | _SELL
    | {Perm.LEAD_CREATE, Perm.LEAD_EDIT, Perm.LEAD_DELETE, Perm.LEAD_ASSIGN, Perm.LEAD_REOPEN}
    | {Perm.CUSTOMER_ASSIGN}
    | {Perm.CUSTOMER_DELETE}
    | _SALES_MANAGE,
    Role.SALES: _VIEW | _SELL | {Perm.LEAD_CREATE, Perm.LEAD_EDIT},
    Role.MARKETING: _VIEW | {Perm.LEAD_CREATE, Perm.LEAD_EDIT},
    Role.FINANCE: _VIEW | {Perm.RATES_MANAGE},
    Role.READ_ONLY: _VIEW,
}


# Tasks and comments: everyone reads them; every role but read-only plans work and comments;
# owners and managers also change the tasks of the people in their data scope.
_TASK_WORK = frozenset({Perm.TASK_VIEW, Perm.TASK_EDIT, Perm.COMMENT_CREATE})
for _role in (Role.MANAGER, Role.SALES, Role.MARKETING, Role.FINANCE):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _TASK_WORK
ROLE_PERMISSIONS[Role.MANAGER] = ROLE_PERMISSIONS[Role.MANAGER] | {Perm.TASK_MANAGE}
ROLE_PERMISSIONS[Role.READ_ONLY] = ROLE_PERMISSIONS[Role.READ_ONLY] | {Perm.TASK_VIEW}
# Goals: owners and managers set them (owners hold every permission); commission: owners only.
ROLE_PERMISSIONS[Role.MANAGER] = ROLE_PERMISSIONS[Role.MANAGER] | {Perm.GOAL_MANAGE}
# Automation (issue 8): owners hold everything (rules, webhooks, schedules, job log); managers
# keep e-mail templates and step plans; every selling role sends e-mail and runs plans.
for _role in (Role.MANAGER, Role.SALES, Role.MARKETING):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.EMAIL_SEND, Perm.PLAN_RUN}
ROLE_PERMISSIONS[Role.MANAGER] = ROLE_PERMISSIONS[Role.MANAGER] | {
    Perm.EMAIL_MANAGE,
    Perm.PLAN_MANAGE,
}
ROLE_PERMISSIONS[Role.MARKETING] = ROLE_PERMISSIONS[Role.MARKETING] | {Perm.EMAIL_MANAGE}
# Campaigns (issue 11): owners (everything), managers and the marketing person.
for _role in (Role.MANAGER, Role.MARKETING):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.CAMPAIGN_MANAGE}


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
