"""Pages whose whole body sits in one wrapper the cleaner reads as chrome: an ASP.NET WebForms
page puts everything inside one `<form>`, so the walk measures none of its inside."""

from tracker.normalize import normalize

HUB_IN_FORM = """<html><head><title>Legal</title></head><body>
<form method="post" action="/legal.aspx" id="form1"><div id="wrapper"><div class="content">
<h1>Legal</h1>
<ul class="legal-nav"><li><a href="#terms">Terms of Service</a></li><li><a href="#privacy">Privacy Policy</a></li>
<li><a href="#use">Acceptable Use Policy</a></li></ul>
<div id="terms"><p class="doc-title"><strong>Terms of Service</strong></p>
<p>By creating an account or using the service you agree to be bound by these Terms of Service.</p>
<p>Paid plans renew automatically at the end of each billing period until you cancel them.</p></div>
<div id="privacy"><p class="doc-title"><strong>Privacy Policy</strong></p>
<p>We collect your name and e-mail address when you register, and the pages you visit on our site.</p>
<p>We share your data only with the processors that host our service, under contract.</p>
<p>You may ask us to delete your data at any time by writing to our privacy team.</p></div>
<div id="use"><p class="doc-title"><strong>Acceptable Use Policy</strong></p>
<p>You may not use the service to harass, threaten or impersonate another person.</p></div>
</div></div></form></body></html>"""


def test_a_hub_inside_a_page_wide_form_keeps_its_policy_and_drops_the_other_documents():
    page = normalize(HUB_IN_FORM.encode())
    texts = [b.text for b in page.blocks]
    assert "We share your data only with the processors that host our service, under contract." in texts
    assert not any("Terms of Service" in t or "harass" in t or "Paid plans" in t for t in texts)
    assert {d.heading for d in page.dropped} >= {"Terms of Service", "Acceptable Use Policy"}


def test_breadcrumbs_inside_a_page_wide_form_are_chrome():
    crumbs = ('<nav aria-label="breadcrumb"><ol class="breadcrumb"><li><a href="/">Home</a></li>'
              '<li><a href="/legal">Legal</a></li><li aria-current="page">Privacy</li></ol></nav>')
    policy = HUB_IN_FORM.split('<div id="privacy">')[1].split("</div>")[0]
    page = normalize(f'<html><body><form id="form1"><div class="content">{crumbs}{policy}</div></form></body></html>'.encode())
    texts = [b.text for b in page.blocks]
    assert texts[0] == "Privacy Policy" and not any("Home" in t for t in texts)
