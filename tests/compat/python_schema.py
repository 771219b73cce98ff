"""HubSpot's official Python client (hubspot-api-client 12) against `hubscript serve`: the
schema and owners APIs (properties, property groups, property batches, of tickets and of
companies and contacts; pipelines and stages, association labels and their use on
associations, owners).

The client deserialises every answer into its models with client-side validation (a required
field that is missing or null raises), and each check asserts the values. Run by
tests/compat_python.rs with the server's URL; prints "checks passed P/T" and exits 1 on any
failure.
"""
import sys
import traceback

import hubspot
from hubspot.crm.properties import ApiException
from hubspot.crm.properties.models import (
    BatchInputPropertyCreate, BatchInputPropertyName, BatchReadInputPropertyName, OptionInput,
    PropertyCreate, PropertyGroupCreate, PropertyGroupUpdate, PropertyName, PropertyUpdate,
)
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyCreate, PublicObjectSearchRequest as CompanySearch
from hubspot.crm.pipelines.models import (
    PipelineInput, PipelinePatchInput, PipelineStageInput, PipelineStagePatchInput,
)

c = hubspot.HubSpot(access_token="x", host=sys.argv[1])
passed = 0
total = 0
state = {}


def check(name, f):
    global passed, total
    total += 1
    try:
        f()
        passed += 1
    except Exception:  # noqa: BLE001 - every failure is reported and counted
        print(f"FAIL {name}:\n{traceback.format_exc()}", file=sys.stderr)


def status(f):
    try:
        f()
        return 200
    except Exception as e:  # the APIs each raise their own ApiException
        return getattr(e, "status", None)


def groups():
    r = c.crm.properties.groups_api.get_all("tickets")
    assert any(g.name == "ticketinformation" for g in r.results)
    g = c.crm.properties.groups_api.create("tickets", PropertyGroupCreate(name="escalation", label="Escalation", display_order=3))
    assert g.name == "escalation" and g.archived is False
    g = c.crm.properties.groups_api.update("tickets", "escalation", PropertyGroupUpdate(label="Escalations"))
    assert g.label == "Escalations"
    assert c.crm.properties.groups_api.get_by_name("tickets", "escalation").display_order == 3


def create_property():
    p = c.crm.properties.core_api.create("tickets", PropertyCreate(
        name="escalation_level", label="Escalation level", type="enumeration", field_type="select",
        group_name="escalation",
        options=[OptionInput(label="Tier 1", value="tier1", hidden=False, display_order=0),
                 OptionInput(label="Tier 2", value="tier2", hidden=False, display_order=1)]))
    assert p.name == "escalation_level" and len(p.options) == 2 and p.created_at


def property_conflict():
    code = status(lambda: c.crm.properties.core_api.create("tickets", PropertyCreate(
        name="escalation_level", label="x", type="string", field_type="text", group_name="escalation")))
    assert code == 409, code


def read_update_property():
    assert any(p.name == "escalation_level" for p in c.crm.properties.core_api.get_all("tickets").results)
    p = c.crm.properties.core_api.update("tickets", "escalation_level", PropertyUpdate(label="Level"))
    assert p.label == "Level"
    assert c.crm.properties.core_api.get_by_name("tickets", "escalation_level").label == "Level"


def custom_on_ticket():
    from hubspot.crm.tickets import SimplePublicObjectInputForCreate
    t = c.crm.tickets.basic_api.create(SimplePublicObjectInputForCreate(properties={"subject": "custom", "escalation_level": "tier2"}))
    g = c.crm.tickets.basic_api.get_by_id(t.id, properties=["escalation_level"])
    assert g.properties["escalation_level"] == "tier2"


def batches():
    r = c.crm.properties.batch_api.create("tickets", BatchInputPropertyCreate(inputs=[
        PropertyCreate(name="vip", label="VIP", type="bool", field_type="booleancheckbox", group_name="escalation"),
        PropertyCreate(name="sla_breached_at", label="SLA breached at", type="datetime", field_type="date", group_name="escalation")]))
    assert len(r.results) == 2 and r.status == "COMPLETE"
    r = c.crm.properties.batch_api.read("tickets", BatchReadInputPropertyName(archived=False, inputs=[PropertyName(name="vip"), PropertyName(name="subject")]))
    assert len(r.results) == 2
    c.crm.properties.batch_api.archive("tickets", BatchInputPropertyName(inputs=[PropertyName(name="vip")]))
    assert status(lambda: c.crm.properties.core_api.get_by_name("tickets", "vip")) == 404


def archive_property():
    c.crm.properties.core_api.archive("tickets", "sla_breached_at")
    r = c.crm.properties.core_api.get_all("tickets", archived=True)
    assert any(p.name == "sla_breached_at" and p.archived for p in r.results)


def company_properties():
    r = c.crm.properties.groups_api.get_all("companies")
    assert any(g.name == "companyinformation" for g in r.results)
    p = c.crm.properties.core_api.create("companies", PropertyCreate(
        name="sales_region", label="Sales region", type="enumeration", field_type="select",
        group_name="companyinformation",
        options=[OptionInput(label="EMEA", value="emea", hidden=False, display_order=0),
                 OptionInput(label="Americas", value="amer", hidden=False, display_order=1)]))
    assert p.name == "sales_region" and len(p.options) == 2
    names = [p.name for p in c.crm.properties.core_api.get_all("companies").results]
    assert "sales_region" in names and "tier" in names and "subject" not in names
    assert c.crm.properties.core_api.get_by_name("companies", "sales_region").label == "Sales region"
    assert status(lambda: c.crm.properties.core_api.get_by_name("contacts", "sales_region")) == 404
    co = c.crm.companies.basic_api.create(CompanyCreate(properties={"name": "Py Regional", "sales_region": "emea"}))
    assert c.crm.companies.basic_api.get_by_id(co.id, properties=["sales_region"]).properties["sales_region"] == "emea"
    s = c.crm.companies.search_api.do_search(CompanySearch(filter_groups=[{"filters": [{"propertyName": "sales_region", "operator": "EQ", "value": "emea"}]}], properties=["sales_region"], limit=10))
    assert any(x.id == co.id for x in s.results)


def contact_property_batches():
    r = c.crm.properties.batch_api.create("contacts", BatchInputPropertyCreate(inputs=[
        PropertyCreate(name="vip_level", label="VIP level", type="number", field_type="number", group_name="contactinformation")]))
    assert len(r.results) == 1 and r.results[0].name == "vip_level"
    assert c.crm.properties.core_api.update("contacts", "vip_level", PropertyUpdate(label="VIP")).label == "VIP"
    r = c.crm.properties.batch_api.read("contacts", BatchReadInputPropertyName(archived=False, inputs=[PropertyName(name="vip_level"), PropertyName(name="email")]))
    assert len(r.results) == 2
    c.crm.properties.core_api.archive("contacts", "vip_level")
    assert status(lambda: c.crm.properties.core_api.get_by_name("contacts", "vip_level")) == 404


def stage(label, state_, order):
    return PipelineStageInput(label=label, display_order=order, metadata={"ticketState": state_})


def pipelines():
    p = c.crm.pipelines.pipelines_api.create("tickets", PipelineInput(label="Tier 2", display_order=1, stages=[
        stage("Triage", "OPEN", 0), stage("Escalated", "OPEN", 1), stage("Resolved", "CLOSED", 2)]))
    assert len(p.stages) == 3 and p.stages[2].metadata["ticketState"] == "CLOSED"
    state["pipeline"] = p
    assert c.crm.pipelines.pipelines_api.get_by_id("tickets", p.id).label == "Tier 2"
    p = c.crm.pipelines.pipelines_api.update("tickets", p.id, PipelinePatchInput(label="Tier 2 support"))
    assert p.label == "Tier 2 support"


def stages():
    p = state["pipeline"]
    s = c.crm.pipelines.pipeline_stages_api.create("tickets", p.id, stage("Waiting on vendor", "OPEN", 3))
    assert len(c.crm.pipelines.pipeline_stages_api.get_all("tickets", p.id).results) == 4
    s = c.crm.pipelines.pipeline_stages_api.update("tickets", p.id, s.id, PipelineStagePatchInput(label="Waiting on supplier"))
    assert s.label == "Waiting on supplier"
    from hubspot.crm.tickets import SimplePublicObjectInputForCreate
    t = c.crm.tickets.basic_api.create(SimplePublicObjectInputForCreate(properties={"subject": "tier 2", "hs_pipeline": p.id, "hs_pipeline_stage": s.id}))
    assert status(lambda: c.crm.pipelines.pipeline_stages_api.archive("tickets", p.id, s.id)) == 400
    assert status(lambda: c.crm.pipelines.pipelines_api.archive("tickets", p.id)) == 400
    c.crm.tickets.basic_api.archive(t.id)
    c.crm.pipelines.pipeline_stages_api.archive("tickets", p.id, s.id)
    c.crm.pipelines.pipelines_api.archive("tickets", p.id)
    assert status(lambda: c.crm.pipelines.pipelines_api.get_by_id("tickets", p.id)) == 404


def owners():
    r = c.crm.owners.owners_api.get_page(limit=2)
    assert len(r.results) == 2 and r.paging.next.after
    rest = c.crm.owners.owners_api.get_page(limit=100, after=r.paging.next.after)
    assert len(r.results) + len(rest.results) == 5
    o = r.results[0]
    assert o.first_name == "Alice" and o.teams[0].primary and o.type == "PERSON"
    e = c.crm.owners.owners_api.get_page(email="chen.wei@example.com")
    assert len(e.results) == 1 and e.results[0].last_name == "Wei"
    by_id = c.crm.owners.owners_api.get_by_id(int(o.id))
    assert by_id.email == "alice.martin@example.com"
    by_user = c.crm.owners.owners_api.get_by_id(o.user_id, id_property="userId")
    assert by_user.id == o.id


def labels():
    from hubspot.crm.associations.v4.schema.models import (
        PublicAssociationDefinitionCreateRequest, PublicAssociationDefinitionUpdateRequest,
    )
    api = c.crm.associations.v4.schema.definitions_api
    r = api.get_all("tickets", "companies")
    assert any(s.type_id == 26 and s.label == "Primary" for s in r.results)
    r = api.create("tickets", "companies", PublicAssociationDefinitionCreateRequest(name="billing_account", label="Billing account", inverse_label="Billed ticket"))
    assert len(r.results) == 2 and r.results[0].category == "USER_DEFINED"
    type_id = r.results[0].type_id
    api.update("tickets", "companies", PublicAssociationDefinitionUpdateRequest(association_type_id=type_id, label="Billing"))
    assert any(s.type_id == type_id and s.label == "Billing" for s in api.get_all("tickets", "companies").results)
    state["label"] = type_id


def labelled_associations():
    """The label on an association (issue 12): v4 create, listing, batch labels archive, create
    and read, an unknown label's 400; then the label deleted while in use."""
    from hubspot.crm.associations.v4.models import (
        AssociationSpec, BatchInputPublicAssociationMultiPost, BatchInputPublicFetchAssociationsBatchRequest,
        PublicAssociationMultiPost, PublicFetchAssociationsBatchRequest, PublicObjectId,
    )
    from hubspot.crm.tickets.models import SimplePublicObjectInputForCreate
    from hubspot.crm.companies.models import SimplePublicObjectInputForCreate as CompanyCreate
    type_id = state["label"]
    spec = [AssociationSpec(association_category="USER_DEFINED", association_type_id=type_id)]
    t = c.crm.tickets.basic_api.create(SimplePublicObjectInputForCreate(properties={"subject": "labelled from python"}))
    co = c.crm.companies.basic_api.create(CompanyCreate(properties={"name": "Label Co"}, associations=[]))
    basic, batch = c.crm.associations.v4.basic_api, c.crm.associations.v4.batch_api

    def types():
        page = basic.get_page("tickets", t.id, "companies")
        assert len(page.results) == 1 and str(page.results[0].to_object_id) == co.id
        return sorted((s.category, s.type_id, s.label) for s in page.results[0].association_types)

    r = basic.create("tickets", t.id, "companies", co.id, spec)
    assert r.labels == ["Billing"] and r.from_object_id == t.id and r.to_object_type_id == "0-2"
    assert types() == [("HUBSPOT_DEFINED", 339, None), ("USER_DEFINED", type_id, "Billing")]
    bad = [AssociationSpec(association_category="USER_DEFINED", association_type_id=987654)]
    assert status(lambda: basic.create("tickets", t.id, "companies", co.id, bad)) == 400
    pair = BatchInputPublicAssociationMultiPost(inputs=[PublicAssociationMultiPost(_from=PublicObjectId(id=t.id), to=PublicObjectId(id=co.id), types=spec)])
    batch.archive_labels("tickets", "companies", pair)
    assert types() == [("HUBSPOT_DEFINED", 339, None)]
    made = batch.create("tickets", "companies", pair)
    assert made.results[0].labels == ["Billing"]
    read = batch.get_page("tickets", "companies", BatchInputPublicFetchAssociationsBatchRequest(inputs=[PublicFetchAssociationsBatchRequest(id=t.id)]))
    assert any(s.type_id == type_id for s in read.results[0].to[0].association_types)
    # Deleting the label while in use: the label goes, the records stay associated.
    c.crm.associations.v4.schema.definitions_api.remove("tickets", "companies", type_id)
    assert not any(s.type_id == type_id for s in c.crm.associations.v4.schema.definitions_api.get_all("tickets", "companies").results)
    assert types() == [("HUBSPOT_DEFINED", 339, None)]


for name, f in [("groups", groups), ("create property", create_property),
                ("property conflict", property_conflict), ("read and update property", read_update_property),
                ("custom property on a ticket", custom_on_ticket), ("property batches", batches),
                ("archive property", archive_property),
                ("company properties", company_properties), ("contact property batches", contact_property_batches),
                ("pipelines", pipelines), ("stages", stages),
                ("association labels", labels), ("labelled associations", labelled_associations),
                ("owners", owners)]:
    check(name, f)

print(f"official python client (schema): checks passed {passed}/{total}")
sys.exit(0 if passed == total else 1)
