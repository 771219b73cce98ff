// HubSpot's official Node client (@hubspot/api-client 14) against `hubscript serve`: the schema
// and owners APIs (properties, property groups, property batches, of tickets and of companies
// and contacts; pipelines and stages,
// association labels, owners). Every response is checked field by field against the client's model (required
// fields present, every field of the expected type). Run by tests/compat_node.rs with the
// server's URL; prints "checks passed P/T" and exits 1 on any failure.

const hubspot = require('@hubspot/api-client'); // installed under tests/compat by .ci/run
const assert = require('assert');

let passed = 0, total = 0;
async function check(name, f) {
  total++;
  try { await f(); passed++; } catch (e) { console.error(`FAIL ${name}: ${e && e.stack || e}`); }
}

// Required fields of the client's models (from their .d.ts), and the JS type of each field.
const REQUIRED = {
  Property: ['description', 'label', 'type', 'groupName', 'name', 'options', 'fieldType'],
  PropertyGroup: ['archived', 'name', 'displayOrder', 'label'],
  Pipeline: ['createdAt', 'archived', 'displayOrder', 'stages', 'label', 'id', 'updatedAt'],
  PipelineStage: ['createdAt', 'archived', 'displayOrder', 'label', 'id', 'updatedAt'],
  PublicOwner: ['createdAt', 'archived', 'id', 'type', 'updatedAt'],
  LabelsBetweenObjectPair: ['fromObjectTypeId', 'toObjectId', 'toObjectTypeId', 'fromObjectId', 'labels'],
  MultiAssociatedObjectWithLabel: ['associationTypes', 'toObjectId'],
  AssociationSpecWithLabel: ['typeId', 'category'],
  PublicAssociationMultiWithLabel: ['_from', 'to'],
};
// Fields where the sandbox deliberately differs from the model's declared type, and why.
const NUMERIC_IDS = {
  // HubSpot's captured v4 listings send a JSON number; the spec says string (TICKETS_API.md
  // §3.2). The client passes it through; the value must still be a whole number.
  'MultiAssociatedObjectWithLabel.toObjectId': true,
};
function shape(model, cls, v) {
  assert.ok(v instanceof cls, `${model}: not deserialised as the client's class`);
  for (const f of REQUIRED[model]) assert.notStrictEqual(v[f], undefined, `${model}.${f} missing`);
  for (const a of cls.getAttributeTypeMap()) {
    const x = v[a.name];
    if (x === undefined || x === null) continue;
    if (NUMERIC_IDS[`${model}.${a.name}`]) assert.ok(/^[0-9]+$/.test(String(x)), `${model}.${a.name} not a numeric id`);
    else if (a.type === 'Date') assert.ok(x instanceof Date && !isNaN(x), `${model}.${a.name} not a date`);
    else if (a.type === 'number') assert.strictEqual(typeof x, 'number', `${model}.${a.name}`);
    else if (a.type === 'boolean') assert.strictEqual(typeof x, 'boolean', `${model}.${a.name}`);
    else if (a.type === 'string' || a.type.endsWith('Enum')) assert.strictEqual(typeof x, 'string', `${model}.${a.name}`);
    else if (a.type.startsWith('Array<')) assert.ok(Array.isArray(x), `${model}.${a.name} not an array`);
  }
}
async function status(p) {
  try { await p; return 200; } catch (e) { return e.code; }
}

(async () => {
  const c = new hubspot.Client({ accessToken: 'x', basePath: process.argv[2] });
  const P = require('@hubspot/api-client/lib/codegen/crm/properties/index');
  const PL = require('@hubspot/api-client/lib/codegen/crm/pipelines/index');
  const O = require('@hubspot/api-client/lib/codegen/crm/owners/index');

  // Property groups.
  await check('groups getAll', async () => {
    const r = await c.crm.properties.groupsApi.getAll('tickets');
    r.results.forEach(g => shape('PropertyGroup', P.PropertyGroup, g));
    assert.ok(r.results.some(g => g.name === 'ticketinformation'));
  });
  await check('groups create', async () => {
    const g = await c.crm.properties.groupsApi.create('tickets', { name: 'escalation', label: 'Escalation', displayOrder: 3 });
    shape('PropertyGroup', P.PropertyGroup, g); assert.strictEqual(g.name, 'escalation');
  });
  await check('groups getByName', async () => shape('PropertyGroup', P.PropertyGroup, await c.crm.properties.groupsApi.getByName('tickets', 'escalation')));
  await check('groups update', async () => {
    const g = await c.crm.properties.groupsApi.update('tickets', 'escalation', { label: 'Escalations' });
    assert.strictEqual(g.label, 'Escalations');
  });

  // Properties.
  await check('properties create', async () => {
    const p = await c.crm.properties.coreApi.create('tickets', { name: 'escalation_level', label: 'Escalation level', type: 'enumeration', fieldType: 'select', groupName: 'escalation', options: [{ label: 'Tier 1', value: 'tier1', hidden: false, displayOrder: 0 }, { label: 'Tier 2', value: 'tier2', hidden: false, displayOrder: 1 }] });
    shape('Property', P.Property, p); assert.strictEqual(p.options.length, 2); assert.ok(p.createdAt instanceof Date);
  });
  await check('properties create unique', async () => {
    const p = await c.crm.properties.coreApi.create('tickets', { name: 'crm_ref', label: 'CRM ref', type: 'string', fieldType: 'text', groupName: 'escalation', hasUniqueValue: true });
    assert.strictEqual(p.hasUniqueValue, true);
  });
  await check('properties create conflict is 409', async () => {
    assert.strictEqual(await status(c.crm.properties.coreApi.create('tickets', { name: 'crm_ref', label: 'x', type: 'string', fieldType: 'text', groupName: 'escalation' })), 409);
  });
  await check('properties getAll', async () => {
    const r = await c.crm.properties.coreApi.getAll('tickets');
    r.results.forEach(p => shape('Property', P.Property, p));
    assert.ok(r.results.some(p => p.name === 'escalation_level'));
  });
  await check('properties getByName', async () => shape('Property', P.Property, await c.crm.properties.coreApi.getByName('tickets', 'escalation_level')));
  await check('properties update', async () => {
    const p = await c.crm.properties.coreApi.update('tickets', 'escalation_level', { label: 'Level' });
    assert.strictEqual(p.label, 'Level');
  });
  await check('custom property writable on a ticket', async () => {
    const t = await c.crm.tickets.basicApi.create({ properties: { subject: 'custom', escalation_level: 'tier2' } });
    const g = await c.crm.tickets.basicApi.getById(t.id, ['escalation_level']);
    assert.strictEqual(g.properties.escalation_level, 'tier2');
  });
  await check('batch create', async () => {
    const r = await c.crm.properties.batchApi.create('tickets', { inputs: [{ name: 'vip', label: 'VIP', type: 'bool', fieldType: 'booleancheckbox', groupName: 'escalation' }, { name: 'sla_breached_at', label: 'SLA breached at', type: 'datetime', fieldType: 'date', groupName: 'escalation' }] });
    assert.strictEqual(r.results.length, 2); r.results.forEach(p => shape('Property', P.Property, p));
    assert.strictEqual(r.status, 'COMPLETE'); assert.ok(r.completedAt instanceof Date);
  });
  await check('batch read', async () => {
    const r = await c.crm.properties.batchApi.read('tickets', { archived: false, inputs: [{ name: 'vip' }, { name: 'subject' }] });
    assert.strictEqual(r.results.length, 2);
  });
  await check('batch archive', async () => {
    await c.crm.properties.batchApi.archive('tickets', { inputs: [{ name: 'vip' }] });
    assert.strictEqual(await status(c.crm.properties.coreApi.getByName('tickets', 'vip')), 404);
  });
  await check('properties archive', async () => {
    await c.crm.properties.coreApi.archive('tickets', 'sla_breached_at');
    const r = await c.crm.properties.coreApi.getAll('tickets', true);
    assert.ok(r.results.some(p => p.name === 'sla_breached_at' && p.archived));
  });

  // Properties of the records tickets point at (issue 12): the same API per object type.
  await check('companies groups getAll', async () => {
    const r = await c.crm.properties.groupsApi.getAll('companies');
    r.results.forEach(g => shape('PropertyGroup', P.PropertyGroup, g));
    assert.ok(r.results.some(g => g.name === 'companyinformation'));
  });
  await check('companies properties create', async () => {
    const p = await c.crm.properties.coreApi.create('companies', { name: 'sales_region', label: 'Sales region', type: 'enumeration', fieldType: 'select', groupName: 'companyinformation', options: [{ label: 'EMEA', value: 'emea', hidden: false, displayOrder: 0 }, { label: 'Americas', value: 'amer', hidden: false, displayOrder: 1 }] });
    shape('Property', P.Property, p); assert.strictEqual(p.options.length, 2); assert.ok(p.createdAt instanceof Date);
  });
  await check('companies properties getAll and getByName', async () => {
    const r = await c.crm.properties.coreApi.getAll('companies');
    r.results.forEach(p => shape('Property', P.Property, p));
    assert.ok(r.results.some(p => p.name === 'sales_region') && r.results.some(p => p.name === 'tier'));
    assert.ok(!r.results.some(p => p.name === 'subject'));
    shape('Property', P.Property, await c.crm.properties.coreApi.getByName('companies', 'sales_region'));
    assert.strictEqual(await status(c.crm.properties.coreApi.getByName('contacts', 'sales_region')), 404);
  });
  await check('custom company property writable and searchable', async () => {
    const co = await c.crm.companies.basicApi.create({ properties: { name: 'Node Regional', sales_region: 'emea' }, associations: [] });
    const g = await c.crm.companies.basicApi.getById(co.id, ['sales_region']);
    assert.strictEqual(g.properties.sales_region, 'emea');
    const s = await c.crm.companies.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'sales_region', operator: 'EQ', value: 'emea' }] }], sorts: [], properties: ['sales_region'], limit: 10, after: '0' });
    assert.ok(s.results.some(x => x.id === co.id));
  });
  await check('contacts property batch, update and archive', async () => {
    const r = await c.crm.properties.batchApi.create('contacts', { inputs: [{ name: 'vip_level', label: 'VIP level', type: 'number', fieldType: 'number', groupName: 'contactinformation' }] });
    assert.strictEqual(r.results.length, 1); r.results.forEach(p => shape('Property', P.Property, p));
    const u = await c.crm.properties.coreApi.update('contacts', 'vip_level', { label: 'VIP' });
    assert.strictEqual(u.label, 'VIP');
    const br = await c.crm.properties.batchApi.read('contacts', { archived: false, inputs: [{ name: 'vip_level' }, { name: 'email' }] });
    assert.strictEqual(br.results.length, 2);
    await c.crm.properties.coreApi.archive('contacts', 'vip_level');
    assert.strictEqual(await status(c.crm.properties.coreApi.getByName('contacts', 'vip_level')), 404);
  });

  // Pipelines and stages.
  let pipeline;
  await check('pipelines create', async () => {
    pipeline = await c.crm.pipelines.pipelinesApi.create('tickets', { label: 'Tier 2', displayOrder: 1, stages: [{ label: 'Triage', displayOrder: 0, metadata: { ticketState: 'OPEN' } }, { label: 'Escalated', displayOrder: 1, metadata: { ticketState: 'OPEN' } }, { label: 'Resolved', displayOrder: 2, metadata: { ticketState: 'CLOSED' } }] });
    shape('Pipeline', PL.Pipeline, pipeline); pipeline.stages.forEach(s => shape('PipelineStage', PL.PipelineStage, s));
    assert.strictEqual(pipeline.stages[2].metadata.ticketState, 'CLOSED');
  });
  await check('pipelines getById', async () => shape('Pipeline', PL.Pipeline, await c.crm.pipelines.pipelinesApi.getById('tickets', pipeline.id)));
  await check('pipelines update', async () => {
    const p = await c.crm.pipelines.pipelinesApi.update('tickets', pipeline.id, { label: 'Tier 2 support' });
    assert.strictEqual(p.label, 'Tier 2 support');
  });
  let stage;
  await check('stages create', async () => {
    stage = await c.crm.pipelines.pipelineStagesApi.create('tickets', pipeline.id, { label: 'Waiting on vendor', displayOrder: 3, metadata: { ticketState: 'OPEN' } });
    shape('PipelineStage', PL.PipelineStage, stage);
  });
  await check('stages getAll and getById', async () => {
    const r = await c.crm.pipelines.pipelineStagesApi.getAll('tickets', pipeline.id);
    assert.strictEqual(r.results.length, 4);
    shape('PipelineStage', PL.PipelineStage, await c.crm.pipelines.pipelineStagesApi.getById('tickets', pipeline.id, stage.id));
  });
  await check('stages update', async () => {
    const s = await c.crm.pipelines.pipelineStagesApi.update('tickets', pipeline.id, stage.id, { label: 'Waiting on supplier' });
    assert.strictEqual(s.label, 'Waiting on supplier');
  });
  await check('stages replace', async () => {
    const s = await c.crm.pipelines.pipelineStagesApi.replace('tickets', pipeline.id, stage.id, { label: 'Waiting on supplier', displayOrder: 4, metadata: { ticketState: 'OPEN' } });
    assert.strictEqual(s.displayOrder, 4);
  });
  await check('stage in use cannot be deleted', async () => {
    const t = await c.crm.tickets.basicApi.create({ properties: { subject: 'in tier 2', hs_pipeline: pipeline.id, hs_pipeline_stage: stage.id } });
    assert.strictEqual(await status(c.crm.pipelines.pipelineStagesApi.archive('tickets', pipeline.id, stage.id)), 400);
    assert.strictEqual(await status(c.crm.pipelines.pipelinesApi.archive('tickets', pipeline.id)), 400);
    await c.crm.tickets.basicApi.archive(t.id);
  });
  await check('stages archive', async () => {
    await c.crm.pipelines.pipelineStagesApi.archive('tickets', pipeline.id, stage.id);
    assert.strictEqual(await status(c.crm.pipelines.pipelineStagesApi.getById('tickets', pipeline.id, stage.id)), 404);
  });
  await check('pipelines replace', async () => {
    const p = await c.crm.pipelines.pipelinesApi.replace('tickets', pipeline.id, { label: 'Tier 2', displayOrder: 1, stages: [{ label: 'Triage', displayOrder: 0, metadata: { ticketState: 'OPEN' } }, { label: 'Resolved', displayOrder: 1, metadata: { ticketState: 'CLOSED' } }] });
    assert.strictEqual(p.stages.length, 2);
  });
  await check('pipelines archive', async () => {
    await c.crm.pipelines.pipelinesApi.archive('tickets', pipeline.id);
    assert.strictEqual(await status(c.crm.pipelines.pipelinesApi.getById('tickets', pipeline.id)), 404);
  });

  // Association labels.
  const S = require('@hubspot/api-client/lib/codegen/crm/associations/v4/schema/index');
  let labelId;
  await check('labels getAll', async () => {
    const r = await c.crm.associations.v4.schema.definitionsApi.getAll('tickets', 'companies');
    r.results.forEach(s => assert.ok(s instanceof S.AssociationSpecWithLabel && typeof s.typeId === 'number' && typeof s.category === 'string'));
    assert.ok(r.results.some(s => s.typeId === 26 && s.label === 'Primary'));
  });
  await check('labels create', async () => {
    const r = await c.crm.associations.v4.schema.definitionsApi.create('tickets', 'companies', { name: 'billing_account', label: 'Billing account', inverseLabel: 'Billed ticket' });
    assert.strictEqual(r.results.length, 2); assert.strictEqual(r.results[0].category, 'USER_DEFINED');
    labelId = r.results[0].typeId;
  });
  await check('labels update', async () => {
    await c.crm.associations.v4.schema.definitionsApi.update('tickets', 'companies', { associationTypeId: labelId, label: 'Billing' });
    const r = await c.crm.associations.v4.schema.definitionsApi.getAll('tickets', 'companies');
    assert.ok(r.results.some(s => s.typeId === labelId && s.label === 'Billing'));
  });
  // The label on associations (issue 12): v4 create, listing, batch create/read/labels-archive.
  const A = require('@hubspot/api-client/lib/codegen/crm/associations/v4/index');
  const labelled = (id) => [{ associationCategory: 'USER_DEFINED', associationTypeId: id }];
  const typesOf = (m) => {
    shape('MultiAssociatedObjectWithLabel', A.MultiAssociatedObjectWithLabel, m);
    m.associationTypes.forEach(s => shape('AssociationSpecWithLabel', A.AssociationSpecWithLabel, s));
    return m.associationTypes.map(s => `${s.category}:${s.typeId}:${s.label || ''}`).sort();
  };
  let lt, lco;
  await check('labelled association create', async () => {
    lt = await c.crm.tickets.basicApi.create({ properties: { subject: 'labelled from node' } });
    lco = await c.crm.companies.basicApi.create({ properties: { name: 'Label Co' }, associations: [] });
    const r = await c.crm.associations.v4.basicApi.create('tickets', lt.id, 'companies', lco.id, labelled(labelId));
    shape('LabelsBetweenObjectPair', A.LabelsBetweenObjectPair, r);
    assert.deepStrictEqual(r.labels, ['Billing']);
  });
  await check('labelled association getPage', async () => {
    const r = await c.crm.associations.v4.basicApi.getPage('tickets', lt.id, 'companies');
    assert.strictEqual(r.results.length, 1);
    assert.deepStrictEqual(typesOf(r.results[0]), ['HUBSPOT_DEFINED:339:', `USER_DEFINED:${labelId}:Billing`]);
  });
  await check('labelled association unknown label 400', async () => {
    assert.strictEqual(await status(c.crm.associations.v4.basicApi.create('tickets', lt.id, 'companies', lco.id, labelled(987654))), 400);
  });
  await check('labelled association batch labels archive, create and read', async () => {
    const pair = { _from: { id: lt.id }, to: { id: lco.id }, types: labelled(labelId) };
    await c.crm.associations.v4.batchApi.archiveLabels('tickets', 'companies', { inputs: [pair] });
    let r = await c.crm.associations.v4.batchApi.getPage('tickets', 'companies', { inputs: [{ id: lt.id }] });
    shape('PublicAssociationMultiWithLabel', A.PublicAssociationMultiWithLabel, r.results[0]);
    assert.deepStrictEqual(typesOf(r.results[0].to[0]), ['HUBSPOT_DEFINED:339:']);
    const made = await c.crm.associations.v4.batchApi.create('tickets', 'companies', { inputs: [pair] });
    shape('LabelsBetweenObjectPair', A.LabelsBetweenObjectPair, made.results[0]);
    assert.deepStrictEqual(made.results[0].labels, ['Billing']);
    r = await c.crm.associations.v4.batchApi.getPage('tickets', 'companies', { inputs: [{ id: lt.id }] });
    assert.deepStrictEqual(typesOf(r.results[0].to[0]), ['HUBSPOT_DEFINED:339:', `USER_DEFINED:${labelId}:Billing`]);
  });
  await check('labels remove', async () => {
    // In use (by the association above): the label goes, the records stay associated.
    await c.crm.associations.v4.schema.definitionsApi.remove('tickets', 'companies', labelId);
    const left = await c.crm.associations.v4.basicApi.getPage('tickets', lt.id, 'companies');
    assert.deepStrictEqual(typesOf(left.results[0]), ['HUBSPOT_DEFINED:339:']);
    const r = await c.crm.associations.v4.schema.definitionsApi.getAll('tickets', 'companies');
    assert.ok(!r.results.some(s => s.typeId === labelId));
  });

  // Owners.
  await check('owners getPage', async () => {
    const r = await c.crm.owners.ownersApi.getPage(undefined, undefined, 2);
    assert.strictEqual(r.results.length, 2); r.results.forEach(o => shape('PublicOwner', O.PublicOwner, o));
    assert.ok(r.paging.next.after);
    const rest = await c.crm.owners.ownersApi.getPage(undefined, r.paging.next.after, 100);
    assert.strictEqual(r.results.length + rest.results.length, 5);
    assert.ok(r.results[0].teams[0].name);
  });
  await check('owners by email', async () => {
    const r = await c.crm.owners.ownersApi.getPage('chen.wei@example.com');
    assert.strictEqual(r.results.length, 1); assert.strictEqual(r.results[0].firstName, 'Chen');
  });
  await check('owners getById', async () => {
    const o = await c.crm.owners.ownersApi.getById(52550153);
    shape('PublicOwner', O.PublicOwner, o); assert.strictEqual(o.lastName, 'Martin');
    const u = await c.crm.owners.ownersApi.getById(o.userId, 'userId');
    assert.strictEqual(u.id, o.id);
  });

  console.log(`official node client (schema): checks passed ${passed}/${total}`);
  if (passed !== total) process.exit(1);
})().catch(e => { console.error(e); process.exit(1); });
