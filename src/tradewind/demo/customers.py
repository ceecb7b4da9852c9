"""Customers the demo exporter already works with, created through the customers and sales services:
contacts, star ratings, types, owners (a few in the public pool) and open opportunities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tradewind.customers.models import Contact, Customer
from tradewind.customers.services import contact_create, customer_create
from tradewind.sales.models import Opportunity
from tradewind.sales.services import opportunity_create

from . import data
from .common import Demo, phone
from .data_customers import CUSTOMERS


def load_customers(demo: Demo) -> list[int]:
    rng = demo.rng
    ids = []
    for spec in CUSTOMERS:
        owner = spec["owner"]
        actor = demo.actor(owner or data.BOSS[0])
        domain = spec["domain"]
        customer = customer_create(
            actor=actor,
            owner=demo.users[owner].pk if owner else None,
            name=spec["name"],
            name_alt=spec.get("name_alt", ""),
            country=spec["country"],
            city=spec["city"],
            type=spec["type"],
            size=spec["size"],
            industry=spec["industry"],
            main_products=spec["products"],
            website=f"https://www.{domain}",
            email=f"info@{domain}",
            phone=phone(spec["country"], rng),
            rating=spec["rating"],
            source=spec["source"],
            tags=spec["tags"],
        )
        contacts = []
        for name, title, role, local, messenger in spec["contacts"]:
            number = phone(spec["country"], rng)
            contacts.append(
                contact_create(
                    actor=actor,
                    customer=customer,
                    name=name,
                    title=title,
                    decision_role=role,
                    email=f"{local}@{domain}" if local else "",
                    phone=number,
                    whatsapp=number if messenger == "wa" else "",
                    wechat=f"{local}_{rng.randint(10, 99)}" if messenger == "wx" else "",
                    linkedin=(
                        f"https://www.linkedin.com/in/{local.replace('.', '-')}-{domain.split('.')[0]}"
                        if role == "decision_maker" and spec["country"] != "CN"
                        else ""
                    ),
                )
            )
        opportunity = None
        if spec.get("opportunity"):
            name, stage, amount, currency, days = spec["opportunity"]
            opportunity = opportunity_create(
                actor=actor,
                customer=customer,
                contact=contacts[0],
                name=name,
                stage_id=demo.stage_ids[stage],
                amount=Decimal(amount),
                currency=currency,
                expected_close_date=demo.today + dt.timedelta(days=days),
                need=spec["products"],
            )
        # A customer relationship is older than today: back-date it.
        since = demo.ago(rng.randint(60, 700), hours=rng.randint(0, 23))
        last_contact = demo.ago(rng.randint(1, 45), hours=rng.randint(0, 8))
        Customer.objects.filter(pk=customer.pk).update(
            created_at=since,
            updated_at=last_contact,
            last_contact_at=last_contact if owner else None,
            next_followup_at=demo.at(rng.randint(-2, 14), 10) if owner else None,
        )
        Contact.objects.filter(customer=customer).update(created_at=since, updated_at=since)
        if opportunity is not None:
            opened = demo.ago(rng.randint(5, 50))
            Opportunity.objects.filter(pk=opportunity.pk).update(
                created_at=opened, updated_at=opened
            )
        ids.append(customer.pk)
    return ids
