"""Templates: the safe renderer, merge-field validation at save, languages, previews."""

from __future__ import annotations

import pytest
from django.utils import translation

from tradewind.core.errors import PermissionDenied, ServiceError
from tradewind.leads.services import lead_create
from tradewind.mailing.models import EmailTemplate
from tradewind.mailing.rendering import (
    check_template_text,
    fill,
    pick_language,
    render_template,
    template_fits,
)
from tradewind.mailing.template_services import email_template_preview, email_template_save
from tradewind.workspaces.actors import Actor

pytestmark = pytest.mark.django_db


def save(world, member=None, **values):
    data = {"name": "Hello", "record_type": "lead", "subject_en": "Hi", "body_en": "Hello"}
    data.update(values)
    return email_template_save(actor=Actor.for_member(member or world.owner), **data)


def test_merge_fields_are_filled_and_escaped_in_html(world):
    lead = lead_create(
        actor=Actor.for_member(world.rep),
        allow_duplicates=True,
        company_name="Tom & Jerry <script>alert(1)</script>",
        contact_name="Tom",
        email="tom@tj.example",
        country="US",
    )
    template = save(
        world,
        subject_en="Offer for {{ lead.company_name }}",
        body_en="Dear {{lead.contact_name}},\n\n{{ me.full_name }} of {{ workspace.name }}"
        "\nto {{ lead.company_name }}",
    )
    rendered = render_template(template=template, record=lead, language="en", sender=world.rep.user)
    assert rendered.subject == "Offer for Tom & Jerry <script>alert(1)</script>"
    assert rendered.text.startswith("Dear Tom,\n\nrep of Alpha Trading")
    assert "<script>" not in rendered.html
    assert "Tom &amp; Jerry &lt;script&gt;" in rendered.html
    assert "<p>Dear Tom,</p>" in rendered.html


def test_unknown_fields_are_refused_at_save_naming_the_field(world):
    with pytest.raises(ServiceError) as exc:
        save(world, body_en="Dear {{ lead.password }}")
    assert exc.value.code == "email_template_unknown_field"
    assert exc.value.status == 422
    assert "lead.password" in str(exc.value.message)
    assert "body_en" in exc.value.fields
    # a customer field in a lead template is outside its catalogue too
    with pytest.raises(ServiceError) as other:
        save(world, subject_en="For {{ customer.name }}")
    assert "customer.name" in other.value.fields["subject_en"][0]
    assert not EmailTemplate.objects.exists()


def test_the_message_is_translated(world):
    with translation.override("zh-hans"), pytest.raises(ServiceError) as exc:
        save(world, body_en="{{ lead.secret }}")
    assert "未知的合并字段" in str(exc.value.message) and "lead.secret" in str(exc.value.message)


@pytest.mark.parametrize(
    "text",
    [
        "{% if lead %}x{% endif %}",
        "{{ lead.owner.password }}",
        "{{ lead.company_name|upper }}",
        "{{ lead.__class__ }}",
        "{{ lead.company_name ",
        "{{ settings.SECRET_KEY }}",
    ],
)
def test_template_code_is_refused(world, text):
    with pytest.raises(ServiceError) as exc:
        check_template_text("lead", {"body_en": text})
    assert exc.value.code in ("email_template_bad_syntax", "email_template_unknown_field")


def test_fill_never_evaluates_anything():
    values = {"lead.company_name": "{{ me.email }}"}
    assert fill("{{ lead.company_name }}", values) == "{{ me.email }}"  # a value is not re-read
    assert fill("{{ lead.nope }}!", values) == "!"


def test_one_language_is_enough_and_both_must_be_whole(world):
    zh_only = save(world, name="中文", subject_en="", body_en="", subject_zh="您好", body_zh="内容")
    assert zh_only.languages == ["zh"]
    with pytest.raises(ServiceError) as exc:
        save(world, name="half", subject_zh="只有标题")
    assert "body_zh" in exc.value.fields
    with pytest.raises(ServiceError) as empty:
        save(world, name="empty", subject_en="", body_en="")
    assert empty.value.code == "email_template_empty"


def test_language_follows_the_record_then_the_workspace(world):
    template = save(world, subject_zh="您好", body_zh="内容")
    cn = lead_create(
        actor=Actor.for_member(world.rep), allow_duplicates=True, company_name="甲", country="CN"
    )
    de = lead_create(
        actor=Actor.for_member(world.rep), allow_duplicates=True, company_name="B", country="DE"
    )
    nowhere = lead_create(
        actor=Actor.for_member(world.rep), allow_duplicates=True, company_name="C"
    )
    assert pick_language(template, cn, workspace=world.ws) == "zh"
    assert pick_language(template, de, workspace=world.ws) == "en"
    assert pick_language(template, nowhere, workspace=world.ws) == "zh"  # the workspace is in CN
    assert pick_language(template, cn, workspace=world.ws, requested="en") == "en"
    en_only = save(world, name="en only")
    assert pick_language(en_only, cn, workspace=world.ws) == "en"  # whichever exists


def test_a_template_fits_records_with_its_objects(world):
    any_type = save(world, name="any", record_type="any", body_en="Hi {{ recipient.name }}")
    lead_type = save(world, name="lead")
    assert template_fits(any_type, world.lead) and template_fits(lead_type, world.lead)
    assert not template_fits(lead_type, None)


def test_preview_without_a_record_shows_placeholders(world):
    template = save(world, subject_en="For {{ lead.company_name }}")
    rendered = email_template_preview(
        actor=Actor.for_member(world.rep), template=template, record=None
    )
    assert rendered.subject == "For [lead.company_name]"


def test_only_managers_write_templates(world):
    with pytest.raises(PermissionDenied):
        save(world, member=world.rep)
    assert save(world, member=world.manager).pk
    assert EmailTemplate.objects.count() == 1
