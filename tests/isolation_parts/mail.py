"""E-mail routes in the isolation walk: templates (the workspace's: only the other workspace is an
outsider), the rep's own mail account, and an e-mail on the rep's lead."""

from __future__ import annotations

ROUTES = {
    "mailing:template_edit": "email_template",
    "mailing:template_delete": "email_template",
    "mailing:account_test": "mail_account",
    "mailing:account_poll": "mail_account",
    "mailing:account_delete": "mail_account",
    "mailing:message": "email",
    "mailing:compose_lead": "lead",
    "mailing:compose_customer": "customer",
    "mailing:compose_contact": "contact",
    "mailing:compose_opportunity": "opportunity",
}
API = {
    "email_template_id": "email_template",
    "mail_account_id": "mail_account",
    "email_id": "email",
}
# Every member who sends e-mail reads the workspace's templates.
WORKSPACE_WIDE = {"email_template_id"}


def objects(world) -> dict[str, object]:
    from tradewind.mailing.choices import Direction, EmailState
    from tradewind.mailing.models import EmailLink, EmailMessage, EmailTemplate, MailAccount

    template, _new = EmailTemplate.objects.get_or_create(
        workspace=world.ws,
        name="ALPHA-EAST-SECRET template",
        defaults={"subject_en": "Hello", "body_en": "Hi {{ recipient.name }}"},
    )
    account, _new = MailAccount.objects.get_or_create(
        workspace=world.ws,
        owner=world.rep.user,
        defaults={
            "from_address": "rep@a.test",
            "smtp_host": "127.0.0.1",
            "smtp_port": 9,
            "smtp_security": "none",
            "imap_host": "127.0.0.1",
            "imap_port": 9,
            "imap_username": "rep@a.test",
        },
    )
    email, new = EmailMessage.objects.get_or_create(
        workspace=world.ws,
        key="walker-mail",
        defaults={
            "direction": Direction.OUT,
            "state": EmailState.SENT,
            "subject": "ALPHA-EAST-SECRET offer",
            "to": ["x@east.test"],
            "target_type": "lead",
            "target_id": world.lead.pk,
            "created_by": world.rep.user,
            "account": account,
        },
    )
    if new:
        EmailLink.objects.create(
            workspace=world.ws, email=email, target_type="lead", target_id=world.lead.pk
        )
    return {"email_template": template, "mail_account": account, "email": email}


def state(world) -> tuple:
    from tradewind.mailing.models import EmailMessage, EmailTemplate, MailAccount
    from tradewind.workspaces.models_jobs import Job

    return (
        list(
            EmailTemplate.objects.filter(workspace=world.ws).values_list(
                "pk", "version", "name", "subject_en"
            )
        ),
        list(
            MailAccount.objects.filter(workspace=world.ws).values_list(
                "pk", "version", "smtp_host", "smtp_password_enc", "imap_polled_at"
            )
        ),
        list(EmailMessage.objects.filter(workspace=world.ws).values_list("pk", "state")),
        Job.objects.filter(kind__startswith="mailing.").count(),
    )
