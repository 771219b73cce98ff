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
  await c.crm.tickets.basicApi.archive(t.id);
  try { await c.crm.tickets.basicApi.getById(t.id); assert.fail('archived ticket returned'); }
  catch (e) { assert.strictEqual(e.code, 404); }
  const ps = await c.crm.pipelines.pipelinesApi.getAll('tickets');
  assert.deepStrictEqual(ps.results[0].stages.map(x => x.label), ['New', 'Waiting on contact', 'Waiting on us', 'Closed']);
  console.log('official node client: ok');
})().catch(e => { console.error(e); process.exit(1); });
