"""HubSpot's official Python client (hubspot-api-client 12) against `hubscript serve`.

Run by tests/compat_python.rs with the server's URL and the number of seeded tickets as
arguments: the tickets calls, and the records tickets point at (companies, contacts, notes) with
their associations. Each call is one check; prints "checks passed P/T" and exits 1 on any
failure. Checks run in order and later ones use what earlier ones created, so one failure can
fail the checks after it: read the first FAIL.
"""
import sys
import traceback

import hubspot
from hubspot.crm.tickets import SimplePublicObjectInputForCreate, SimplePublicObjectInput, PublicObjectSearchRequest, BatchReadInputSimplePublicObjectId, SimplePublicObjectId, BatchInputSimplePublicObjectBatchInput, SimplePublicObjectBatchInput
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyCreate, PublicObjectSearchRequest as CompanySearch
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactCreate
from hubspot.crm.objects.notes import SimplePublicObjectInputForCreate as NoteCreate

c = hubspot.HubSpot(access_token="x", host=sys.argv[1])
passed = 0
total = 0
v = {}


def check(name):
    """Runs the decorated function at once as one named check."""
    def run(f):
        global passed, total
        total += 1
        try:
            f()
            passed += 1
        except Exception:  # noqa: BLE001 - every failure is reported, then counted
            print(f"FAIL {name}:\n{traceback.format_exc()}", file=sys.stderr)
    return run


def status(f):
    """The HTTP status a call ends with: 200 when it succeeds."""
    try:
        f()
        return 200
    except Exception as e:  # noqa: BLE001 - the clients raise one ApiException class per module
        return getattr(e, "status", None)


@check("tickets get_page with associations")
def _():
    page = c.crm.tickets.basic_api.get_page(limit=3, properties=["subject", "hs_ticket_priority"], associations=["contacts"])
    assert len(page.results) == 3 and page.paging.next.after
    assert "subject" in page.results[0].properties


@check("tickets create")
def _():
    t = c.crm.tickets.basic_api.create(SimplePublicObjectInputForCreate(properties={"subject": "from python", "hs_ticket_priority": "HIGH"}))
    assert t.id.isdigit() and t.properties["hs_pipeline_stage"] == "1" and t.created_at
    v["t"] = t.id


@check("tickets update")
def _():
    u = c.crm.tickets.basic_api.update(v["t"], SimplePublicObjectInput(properties={"hs_ticket_priority": "LOW"}))
    assert u.properties["hs_ticket_priority"] == "LOW"


@check("tickets get_by_id with history")
def _():
    g = c.crm.tickets.basic_api.get_by_id(v["t"], properties=["subject"], properties_with_history=["hs_ticket_priority"])
    assert g.properties["subject"] == "from python"
    assert [h.value for h in g.properties_with_history["hs_ticket_priority"]] == ["LOW", "HIGH"]


@check("tickets do_search")
def _():
    s = c.crm.tickets.search_api.do_search(PublicObjectSearchRequest(filter_groups=[{"filters": [{"propertyName": "hs_ticket_priority", "operator": "EQ", "value": "HIGH"}]}], sorts=[{"propertyName": "createdate", "direction": "DESCENDING"}], limit=5, properties=["subject"]))
    assert s.total > 0 and len(s.results) == 5


@check("tickets batch read")
def _():
    b = c.crm.tickets.batch_api.read(BatchReadInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=v["t"]), SimplePublicObjectId(id="1")], properties=["subject"], properties_with_history=[]))
    assert len(b.results) == 2


@check("tickets batch update")
def _():
    bu = c.crm.tickets.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[SimplePublicObjectBatchInput(id=v["t"], properties={"subject": "renamed"})]))
    assert bu.results[0].properties["subject"] == "renamed"


@check("tickets get_all (paging)")
def _():
    all_ = c.crm.tickets.get_all(properties=["subject"])
    assert len(all_) == int(sys.argv[2]) + 1, len(all_)


# The records tickets point at (issue 12): companies, contacts, notes, and associations.
@check("companies create")
def _():
    v["co"] = c.crm.companies.basic_api.create(CompanyCreate(properties={"name": "Py Co", "domain": "py.example.org", "tier": "silver"})).id


@check("companies get_by_id")
def _():
    assert c.crm.companies.basic_api.get_by_id(v["co"], properties=["tier"]).properties["tier"] == "silver"


@check("companies do_search")
def _():
    cs = c.crm.companies.search_api.do_search(CompanySearch(filter_groups=[{"filters": [{"propertyName": "domain", "operator": "EQ", "value": "py.example.org"}]}], properties=["tier"], limit=10))
    assert cs.total == 1 and cs.results[0].id == v["co"]


@check("contacts create")
def _():
    v["ct"] = c.crm.contacts.basic_api.create(ContactCreate(properties={"firstname": "Py", "email": "py@example.org"})).id


@check("contacts get_by_id")
def _():
    assert c.crm.contacts.basic_api.get_by_id(v["ct"], properties=["email"]).properties["email"] == "py@example.org"


@check("notes create (associated to the ticket)")
def _():
    n = c.crm.objects.notes.basic_api.create(NoteCreate(properties={"hs_note_body": "from python", "hs_timestamp": "2026-01-01T00:00:00Z"}, associations=[{"to": {"id": v["t"]}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 228}]}]))
    v["n"] = n.id


@check("associations v4 get_page (notes)")
def _():
    linked = c.crm.associations.v4.basic_api.get_page("tickets", v["t"], "notes")
    assert str(linked.results[0].to_object_id) == v["n"]


@check("associations v4 create (company)")
def _():
    c.crm.associations.v4.basic_api.create("tickets", v["t"], "companies", v["co"], [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 339}])


@check("associations v4 create to a missing record is a 404")
def _():
    code = status(lambda: c.crm.associations.v4.basic_api.create("tickets", v["t"], "contacts", "999999999", [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}]))
    assert code == 404, code


@check("tickets archive, then get_by_id is a 404")
def _():
    c.crm.tickets.basic_api.archive(v["t"])
    code = status(lambda: c.crm.tickets.basic_api.get_by_id(v["t"]))
    assert code == 404, code


@check("pipelines get_all")
def _():
    ps = c.crm.pipelines.pipelines_api.get_all("tickets")
    assert [s.label for s in ps.results[0].stages] == ["New", "Waiting on contact", "Waiting on us", "Closed"]


@check("properties get_by_name")
def _():
    pr = c.crm.properties.core_api.get_by_name("tickets", "hs_ticket_priority")
    assert [o.value for o in pr.options] == ["LOW", "MEDIUM", "HIGH", "URGENT"]


print(f"official python client (tickets and records): checks passed {passed}/{total}")
sys.exit(0 if passed == total else 1)
