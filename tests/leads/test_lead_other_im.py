"""A lead's other messaging accounts: form, API, import header, export column; the search index
still follows the table after the column was added in place."""

from tradewind.leads.export import COLUMNS
from tradewind.leads.filters import LeadFilter
from tradewind.leads.imports_fields import detect_field
from tradewind.leads.models import Lead
from tradewind.leads.selectors import lead_list


def test_other_im_on_every_path(world, client_for, api, token_for):
    resp = client_for(world.rep).post(
        "/leads/new/",
        {
            "company_name": "Messenger Ltd",
            "source": "trade_show",
            "other_im": "Telegram @anna_m",
            "owner": "",
        },
    )
    assert resp.status_code == 302
    assert Lead.objects.get(company_name="Messenger Ltd").other_im == "Telegram @anna_m"
    resp = api(
        "post",
        "/leads",
        token=token_for(world.rep),
        json={"company_name": "Skype Trading", "other_im": "skype: live:bob"},
    )
    assert resp.status_code == 201 and resp.json()["other_im"] == "skype: live:bob"
    assert detect_field("其他联系方式") == "other_im" and detect_field("Telegram") == "other_im"
    assert ("other_im", "其他联系方式 Other IM") in COLUMNS
    # The FTS triggers survived the migration: a new lead is found by a fragment.
    page = lead_list(member=world.rep, filters=LeadFilter(q="Messenger"), cursor=None, limit=10)
    assert [lead.company_name for lead in page.items] == ["Messenger Ltd"]
