// HubSpot's official Node client (@hubspot/api-client 14) against `hubscript serve`.
// Run by tests/compat_node.rs with the server's URL as argument; any mismatch exits 1.

const hubspot = require('@hubspot/api-client'); // installed under tests/compat by .ci/run
const assert = require('assert');
(async () => {
  const c = new hubspot.Client({ accessToken: 'x', basePath: process.argv[2] });
  const page = await c.crm.tickets.basicApi.getPage(3, undefined, ['subject', 'hs_ticket_priority']);
  assert.strictEqual(page.results.length, 3); assert.ok(page.paging.next.after);
  const t = await c.crm.tickets.basicApi.create({ properties: { subject: 'from node', hs_ticket_priority: 'HIGH' } });
  assert.strictEqual(t.properties.hs_pipeline_stage, '1'); assert.ok(t.createdAt instanceof Date);
  const u = await c.crm.tickets.basicApi.update(t.id, { properties: { hs_ticket_priority: 'LOW' } });
  assert.strictEqual(u.properties.hs_ticket_priority, 'LOW');
  const g = await c.crm.tickets.basicApi.getById(t.id, ['subject'], ['hs_ticket_priority']);
  assert.deepStrictEqual(g.propertiesWithHistory.hs_ticket_priority.map(h => h.value), ['LOW', 'HIGH']);
  const s = await c.crm.tickets.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'hs_ticket_priority', operator: 'EQ', value: 'HIGH' }] }], sorts: ['-createdate'], limit: 5, properties: ['subject'], after: '0' });
  assert.ok(s.total > 0); assert.strictEqual(s.results.length, 5);
  const b = await c.crm.tickets.batchApi.read({ inputs: [{ id: t.id }, { id: '1' }], properties: ['subject'], propertiesWithHistory: [] });
  assert.strictEqual(b.results.length, 2);
  const all = await c.crm.tickets.getAll(undefined, undefined, ['subject']);
  assert.strictEqual(all.length, Number(process.argv[3]) + 1, String(all.length));
  const contact = await c.crm.contacts.basicApi.create({ properties: { firstname: 'Ann', email: 'ann@node.example.com' }, associations: [] });
  await c.crm.associations.v4.basicApi.create('tickets', t.id, 'contacts', contact.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }]);
  const a = await c.crm.associations.v4.basicApi.getPage('tickets', t.id, 'contacts');
  assert.strictEqual(String(a.results[0].toObjectId), contact.id);
  // The records tickets point at (issue 12): companies, contacts, notes, tasks, and the
  // associations to them (a missing target is a 404).
  const co = await c.crm.companies.basicApi.create({ properties: { name: 'Node Co', domain: 'node.example.org', tier: 'gold' }, associations: [] });
  assert.strictEqual((await c.crm.companies.basicApi.getById(co.id, ['tier'])).properties.tier, 'gold');
  const cs = await c.crm.companies.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: 'node.example.org' }] }], sorts: [], properties: ['tier'], limit: 10, after: '0' });
  assert.strictEqual(cs.total, 1); assert.strictEqual(cs.results[0].id, co.id);
  const cu = await c.crm.companies.basicApi.update(co.id, { properties: { tier: 'platinum' } });
  assert.strictEqual(cu.properties.tier, 'platinum');
  const cb = await c.crm.contacts.batchApi.read({ inputs: [{ id: contact.id }], properties: ['email'], propertiesWithHistory: [] });
  assert.strictEqual(cb.results[0].properties.email, 'ann@node.example.com');
  const cp = await c.crm.contacts.basicApi.getPage(5, undefined, ['email']);
  assert.ok(cp.results.length > 0);
  const note = await c.crm.objects.notes.basicApi.create({ properties: { hs_note_body: 'from node', hs_timestamp: new Date().toISOString() }, associations: [{ to: { id: t.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 228 }] }] });
  assert.strictEqual((await c.crm.objects.notes.basicApi.getById(note.id, ['hs_note_body'])).properties.hs_note_body, 'from node');
  const task = await c.crm.objects.tasks.basicApi.create({ properties: { hs_task_subject: 'call back', hs_timestamp: String(Date.now()), hs_task_status: 'NOT_STARTED' }, associations: [] });
  assert.ok(task.id);
  await c.crm.associations.v4.basicApi.create('tickets', t.id, 'companies', co.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 26 }]);
  const br = await c.crm.associations.v4.batchApi.getPage('tickets', 'companies', { inputs: [{ id: t.id }] });
  assert.strictEqual(String(br.results[0].to[0].toObjectId), co.id);
  // v3's association batch create/read/archive (types by name) and v4's batch archive.
  const cy = await c.crm.contacts.basicApi.create({ properties: { firstname: 'Cy', email: 'cy@node.example.com' }, associations: [] });
  const pair = { _from: { id: t.id }, to: { id: cy.id }, type: 'ticket_to_contact' };
  const v3c = await c.crm.associations.batchApi.create('tickets', 'contacts', { inputs: [pair] });
  assert.strictEqual(v3c.status, 'COMPLETE'); assert.strictEqual(v3c.results.length, 1);
  assert.strictEqual(v3c.results[0]._from.id, t.id); assert.strictEqual(v3c.results[0].type, 'ticket_to_contact');
  const v3r = await c.crm.associations.batchApi.read('tickets', 'contacts', { inputs: [{ id: t.id }] });
  assert.ok(v3r.results[0].to.some(x => x.id === cy.id && x.type === 'ticket_to_contact'), JSON.stringify(v3r.results));
  await c.crm.associations.batchApi.archive('tickets', 'contacts', { inputs: [pair] });
  await c.crm.associations.v4.batchApi.archive('tickets', 'contacts', { inputs: [{ _from: { id: t.id }, to: [{ id: contact.id }] }] });
  const gone = await c.crm.associations.v4.basicApi.getPage('tickets', t.id, 'contacts');
  assert.strictEqual(gone.results.length, 0, JSON.stringify(gone.results));
  const notes = await c.crm.associations.v4.basicApi.getPage('tickets', t.id, 'notes');
  assert.strictEqual(String(notes.results[0].toObjectId), note.id);
  try { await c.crm.associations.v4.basicApi.create('tickets', t.id, 'contacts', '999999999', [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }]); assert.fail('a missing contact was associated'); }
  catch (e) { assert.strictEqual(e.code, 404); }
  await c.crm.companies.basicApi.archive(co.id);
  await c.crm.tickets.basicApi.archive(t.id);
  try { await c.crm.tickets.basicApi.getById(t.id); assert.fail('archived ticket returned'); }
  catch (e) { assert.strictEqual(e.code, 404); }
  const ps = await c.crm.pipelines.pipelinesApi.getAll('tickets');
  assert.deepStrictEqual(ps.results[0].stages.map(x => x.label), ['New', 'Waiting on contact', 'Waiting on us', 'Closed']);
  console.log('official node client: ok');
})().catch(e => { console.error(e); process.exit(1); });
