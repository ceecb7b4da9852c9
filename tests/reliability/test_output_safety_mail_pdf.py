"""Issue #10, item 4: user text that leaves the application in an e-mail or a PDF stays text.

E-mail: a template is rendered for a customer whose name, contact and the template's own text carry
HTML and script payloads; the message goes through the real send job to the loopback SMTP server,
and the received HTML part shows every payload escaped (the plain part keeps it as typed). A
subject with CR/LF cannot add a header or a recipient.

PDF: a quote whose customer name, line description and notes carry payloads, one of them an
<img> pointing at a loopback HTTP server run here, is rendered by WeasyPrint: `pdftotext` reads the
payloads back as literal text and the server receives no request. The renderer itself only fetches
data: URIs, so even HTML that did reach it could not make it request a URL or read a file.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.mailing.conftest import imap_server, rep_account, smtp_server  # noqa: F401 (fixtures)
from tests.orders.conftest import act
from tradewind.customers.services import contact_create, customer_create
from tradewind.mailing.rendering import render_free
from tradewind.mailing.sending import email_queue, email_queue_template
from tradewind.mailing.template_services import email_template_save
from tradewind.orders import documents, quotes
from tradewind.workspaces.actors import Actor

SCRIPT = "<script>alert('name')</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "<svg onload=alert(2)>"
LINK = '<a href="javascript:alert(3)">click</a>'


@pytest.mark.django_db(transaction=True)
def test_payloads_in_a_templated_mail_arrive_escaped_in_its_html(
    world,
    rep_account,  # noqa: F811
    smtp_server,  # noqa: F811
):
    actor = Actor.for_member(world.rep)
    customer = customer_create(
        actor=actor, allow_duplicates=True, name=f"Evil & Co {SCRIPT}", country="DE"
    )
    contact_create(actor=actor, customer=customer, name=f"Anna{IMG}", email="anna@evil.test")
    template = email_template_save(
        actor=Actor.for_member(world.owner),
        name="Payload",
        record_type="customer",
        subject_en="Offer for {{ customer.name }}",
        body_en=f"Dear {{{{ contact.name }}}},\n\n{SVG} {LINK}\n\n{{{{ customer.name }}}}",
    )
    email_queue_template(actor=actor, template_id=template.pk, record=customer)

    assert len(smtp_server.messages) == 1  # the send job ran after commit
    received = smtp_server.messages[0]
    html = received.get_body(("html",)).get_content()
    for tag in ("<script", "<img", "<svg", "<a ", 'href="'):
        assert tag not in html, tag
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;svg onload=alert(2)&gt;" in html
    assert "&lt;a href=&quot;javascript:alert(3)&quot;&gt;click&lt;/a&gt;" in html
    assert "Evil &amp; Co" in html
    # The plain part is text: the payloads as typed, nothing to escape.
    text = received.get_body(("plain",)).get_content()
    assert f"Dear Anna{IMG}," in text and SVG in text and SCRIPT in text
    assert received["Subject"] == f"Offer for Evil & Co {SCRIPT}"


@pytest.mark.django_db(transaction=True)
def test_a_subject_with_line_breaks_adds_no_header_or_recipient(
    world,
    rep_account,  # noqa: F811
    smtp_server,  # noqa: F811
):
    # As the compose page sends a hand-written message: text, and HTML made from it.
    _subject, text, html = render_free(
        subject="Hello\r\nBcc: victim@evil.test\r\nX-Injected: 1",
        body=f"Body {SCRIPT}\r\n\r\n{IMG}",
    )
    email_queue(
        actor=Actor.for_member(world.rep),
        to=["buyer@ok.test"],
        subject="Hello\r\nBcc: victim@evil.test\r\nX-Injected: 1",
        body_text=text,
        body_html=html,
    )
    received = smtp_server.messages[0]
    assert received["Bcc"] is None and received["X-Injected"] is None
    assert received["Subject"] == "Hello Bcc: victim@evil.test X-Injected: 1"
    assert smtp_server.envelopes[0][1] == ["buyer@ok.test"]
    html = received.get_body(("html",)).get_content()
    assert "<script" not in html and "<img" not in html
    assert "Body &lt;script&gt;" in html


# --- PDF -----------------------------------------------------------------------------------------

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback that records every request path."""

    class Handler(_Recorder):
        requests: list[str] = []

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", Handler.requests
    finally:
        server.shutdown()
        server.server_close()


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    )
    return "".join(done.stdout.split())  # table cells wrap: compare without white space


def _squashed(text: str) -> str:
    return "".join(text.split())


@needs_pdftotext
@pytest.mark.django_db
def test_payloads_in_a_quote_pdf_are_literal_text_and_fetch_nothing(
    world, settings, tmp_path, http_server
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base, requests = http_server
    fetch_me = f'<img src="{base}/line.png">'
    customer = customer_create(
        actor=act(world.rep), allow_duplicates=True, name=f"Evil {SCRIPT} GmbH", country="DE"
    )
    quote = quotes.quote_create(
        actor=act(world.rep),
        customer_id=customer.pk,
        currency="USD",
        notes=f'Notes <link rel="stylesheet" href="{base}/notes.css"> {{{{ 7*7 }}}}',
        lines=[
            {
                "description": f"Lamp {fetch_me}",
                "quantity": Decimal("2"),
                "unit_price": Decimal("10"),
            },
            {
                "description": f"Bracket {IMG}",
                "quantity": Decimal("1"),
                "unit_price": Decimal("5"),
            },
        ],
    )
    version = quote.versions.order_by("-number").first()
    snapshot = documents.draft_snapshot(quote, version)
    html = documents.render_html(snapshot, "en")
    assert "<script" not in html and f'src="{base}' not in html and "<link rel" not in html

    text = _pdf_text(documents.render_pdf(snapshot, "en"), tmp_path)
    for literal in (f"Evil {SCRIPT} GmbH", f"Lamp {fetch_me}", f"Bracket {IMG}", "{{ 7*7 }}"):
        assert _squashed(literal) in text, literal
    assert requests == []  # WeasyPrint asked the loopback server for nothing


def test_the_pdf_renderer_fetches_only_inline_data(tmp_path, http_server):
    """Defence in depth: even markup that reached the renderer unescaped requests no URL and reads
    no local file. (The same HTML through WeasyPrint's default fetcher does hit the server: the
    control that shows the server would have seen a request.)"""
    from weasyprint import HTML

    base, requests = http_server
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red }")
    html = (
        f'<link rel="stylesheet" href="{base}/style.css">'
        f'<img src="{base}/img.png"><img src="file://{secret}">'
        f"<div style=\"background: url('{base}/bg.png')\">x</div>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    )
    HTML(string=html).write_pdf()
    assert requests, "control: the default fetcher should have requested something"
    requests.clear()
    assert documents.html_to_pdf(html).startswith(b"%PDF")
    assert requests == []
