"""HubSpot's official Python client (hubspot-api-client 12) against `hubscript serve`.

Run by tests/compat_python.rs with the server's URL and the number of seeded tickets as
arguments. Every call must
behave as HubSpot's docs describe; any mismatch raises.
"""
import sys

import hubspot
from hubspot.crm.tickets import SimplePublicObjectInputForCreate, SimplePublicObjectInput, PublicObjectSearchRequest, BatchReadInputSimplePublicObjectId, SimplePublicObjectId, BatchInputSimplePublicObjectBatchInput, SimplePublicObjectBatchInput
c = hubspot.HubSpot(access_token="x", host=sys.argv[1])
page = c.crm.tickets.basic_api.get_page(limit=3, properties=["subject","hs_ticket_priority"], associations=["contacts"])
assert len(page.results) == 3 and page.paging.next.after
assert "subject" in page.results[0].properties
t = c.crm.tickets.basic_api.create(SimplePublicObjectInputForCreate(properties={"subject":"from python","hs_ticket_priority":"HIGH"}))
assert t.id.isdigit() and t.properties["hs_pipeline_stage"] == "1" and t.created_at
u = c.crm.tickets.basic_api.update(t.id, SimplePublicObjectInput(properties={"hs_ticket_priority":"LOW"}))
assert u.properties["hs_ticket_priority"] == "LOW"
g = c.crm.tickets.basic_api.get_by_id(t.id, properties=["subject"], properties_with_history=["hs_ticket_priority"])
assert g.properties["subject"] == "from python"
assert [h.value for h in g.properties_with_history["hs_ticket_priority"]] == ["LOW", "HIGH"]
s = c.crm.tickets.search_api.do_search(PublicObjectSearchRequest(filter_groups=[{"filters":[{"propertyName":"hs_ticket_priority","operator":"EQ","value":"HIGH"}]}], sorts=[{"propertyName":"createdate","direction":"DESCENDING"}], limit=5, properties=["subject"]))
assert s.total > 0 and len(s.results) == 5
b = c.crm.tickets.batch_api.read(BatchReadInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=t.id), SimplePublicObjectId(id="1")], properties=["subject"], properties_with_history=[]))
assert len(b.results) == 2
bu = c.crm.tickets.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[SimplePublicObjectBatchInput(id=t.id, properties={"subject":"renamed"})]))
assert bu.results[0].properties["subject"] == "renamed"
all_ = c.crm.tickets.get_all(properties=["subject"])
assert len(all_) == int(sys.argv[2]) + 1, len(all_)
# The records tickets point at (issue 12): companies, contacts, notes, and associations.
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyCreate, PublicObjectSearchRequest as CompanySearch
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactCreate
from hubspot.crm.objects.notes import SimplePublicObjectInputForCreate as NoteCreate
co = c.crm.companies.basic_api.create(CompanyCreate(properties={"name": "Py Co", "domain": "py.example.org", "tier": "silver"}))
assert c.crm.companies.basic_api.get_by_id(co.id, properties=["tier"]).properties["tier"] == "silver"
cs = c.crm.companies.search_api.do_search(CompanySearch(filter_groups=[{"filters": [{"propertyName": "domain", "operator": "EQ", "value": "py.example.org"}]}], properties=["tier"], limit=10))
assert cs.total == 1 and cs.results[0].id == co.id
ct = c.crm.contacts.basic_api.create(ContactCreate(properties={"firstname": "Py", "email": "py@example.org"}))
assert c.crm.contacts.basic_api.get_by_id(ct.id, properties=["email"]).properties["email"] == "py@example.org"
n = c.crm.objects.notes.basic_api.create(NoteCreate(properties={"hs_note_body": "from python", "hs_timestamp": "2026-01-01T00:00:00Z"}, associations=[{"to": {"id": t.id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 228}]}]))
linked = c.crm.associations.v4.basic_api.get_page("tickets", t.id, "notes")
assert str(linked.results[0].to_object_id) == n.id
c.crm.associations.v4.basic_api.create("tickets", t.id, "companies", co.id, [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 339}])
try:
    c.crm.associations.v4.basic_api.create("tickets", t.id, "contacts", "999999999", [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}])
    raise AssertionError("a missing contact was associated")
except hubspot.crm.associations.v4.ApiException as e:
    assert e.status == 404, e.status
c.crm.tickets.basic_api.archive(t.id)
try:
    c.crm.tickets.basic_api.get_by_id(t.id)
    raise AssertionError("an archived ticket was returned")
except hubspot.crm.tickets.ApiException as e:
    assert e.status == 404, e.status
ps = c.crm.pipelines.pipelines_api.get_all("tickets")
assert [s.label for s in ps.results[0].stages] == ["New", "Waiting on contact", "Waiting on us", "Closed"]
pr = c.crm.properties.core_api.get_by_name("tickets", "hs_ticket_priority")
assert [o.value for o in pr.options] == ["LOW", "MEDIUM", "HIGH", "URGENT"]
print("official python client: ok")
