// HubSpot's official Node client (@hubspot/api-client 14) against `hubscript serve`: the tickets
// calls, and the records tickets point at (companies, contacts, notes, tasks) with their v3 and v4
// associations. Run by tests/compat_node.rs with the server's URL and the number of seeded
// tickets; each call is one check; prints "checks passed P/T" and exits 1 on any failure.
// Checks run in order and later ones use what earlier ones created, so one failure can fail the
// checks after it: read the first FAIL.

const hubspot = require('@hubspot/api-client'); // installed under tests/compat by .ci/run
const assert = require('assert');

let passed = 0, total = 0;
async function check(name, f) {
  total++;
  try { await f(); passed++; } catch (e) { console.error(`FAIL ${name}: ${e && e.stack || e}`); }
}
async function status(p) {
  try { await p; return 200; } catch (e) { return e.code; }
}

(async () => {
  const c = new hubspot.Client({ accessToken: 'x', basePath: process.argv[2] });
  let t, contact, co, note, cy, pair;
  await check('tickets getPage', async () => {
    const page = await c.crm.tickets.basicApi.getPage(3, undefined, ['subject', 'hs_ticket_priority']);
    assert.strictEqual(page.results.length, 3); assert.ok(page.paging.next.after);
  });
  await check('tickets create', async () => {
    t = await c.crm.tickets.basicApi.create({ properties: { subject: 'from node', hs_ticket_priority: 'HIGH' } });
    assert.strictEqual(t.properties.hs_pipeline_stage, '1'); assert.ok(t.createdAt instanceof Date);
  });
  await check('tickets update', async () => {
    const u = await c.crm.tickets.basicApi.update(t.id, { properties: { hs_ticket_priority: 'LOW' } });
    assert.strictEqual(u.properties.hs_ticket_priority, 'LOW');
  });
  await check('tickets getById with history', async () => {
    const g = await c.crm.tickets.basicApi.getById(t.id, ['subject'], ['hs_ticket_priority']);
    assert.deepStrictEqual(g.propertiesWithHistory.hs_ticket_priority.map(h => h.value), ['LOW', 'HIGH']);
  });
  await check('tickets doSearch (string sort form)', async () => {
    const s = await c.crm.tickets.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'hs_ticket_priority', operator: 'EQ', value: 'HIGH' }] }], sorts: ['-createdate'], limit: 5, properties: ['subject'], after: '0' });
    assert.ok(s.total > 0); assert.strictEqual(s.results.length, 5);
  });
  await check('tickets batch read', async () => {
    const b = await c.crm.tickets.batchApi.read({ inputs: [{ id: t.id }, { id: '1' }], properties: ['subject'], propertiesWithHistory: [] });
    assert.strictEqual(b.results.length, 2);
  });
  await check('tickets batch update', async () => {
    const b = await c.crm.tickets.batchApi.update({ inputs: [{ id: t.id, properties: { subject: 'from node, renamed' } }] });
    assert.strictEqual(b.results[0].properties.subject, 'from node, renamed');
  });
  await check('tickets getAll (paging)', async () => {
    const all = await c.crm.tickets.getAll(undefined, undefined, ['subject']);
    assert.strictEqual(all.length, Number(process.argv[3]) + 1, String(all.length));
  });
  // The records tickets point at (issue 12): companies, contacts, notes, tasks, and the
  // associations to them (a missing target is a 404).
  await check('contacts create', async () => {
    contact = await c.crm.contacts.basicApi.create({ properties: { firstname: 'Ann', email: 'ann@node.example.com' }, associations: [] });
    assert.ok(contact.id);
  });
  await check('associations v4 create', async () => {
    await c.crm.associations.v4.basicApi.create('tickets', t.id, 'contacts', contact.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }]);
  });
  await check('associations v4 getPage', async () => {
    const a = await c.crm.associations.v4.basicApi.getPage('tickets', t.id, 'contacts');
    assert.strictEqual(String(a.results[0].toObjectId), contact.id);
  });
  await check('companies create', async () => {
    co = await c.crm.companies.basicApi.create({ properties: { name: 'Node Co', domain: 'node.example.org', tier: 'gold' }, associations: [] });
    assert.ok(co.id);
  });
  await check('companies getById', async () => {
    assert.strictEqual((await c.crm.companies.basicApi.getById(co.id, ['tier'])).properties.tier, 'gold');
  });
  await check('companies doSearch', async () => {
    const cs = await c.crm.companies.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: 'node.example.org' }] }], sorts: [], properties: ['tier'], limit: 10, after: '0' });
    assert.strictEqual(cs.total, 1); assert.strictEqual(cs.results[0].id, co.id);
  });
  await check('companies update', async () => {
    const cu = await c.crm.companies.basicApi.update(co.id, { properties: { tier: 'platinum' } });
    assert.strictEqual(cu.properties.tier, 'platinum');
  });
  await check('contacts batch read', async () => {
    const cb = await c.crm.contacts.batchApi.read({ inputs: [{ id: contact.id }], properties: ['email'], propertiesWithHistory: [] });
    assert.strictEqual(cb.results[0].properties.email, 'ann@node.example.com');
  });
  await check('contacts getPage', async () => {
    const cp = await c.crm.contacts.basicApi.getPage(5, undefined, ['email']);
    assert.ok(cp.results.length > 0);
  });
  await check('notes create (associated to the ticket)', async () => {
    note = await c.crm.objects.notes.basicApi.create({ properties: { hs_note_body: 'from node', hs_timestamp: new Date().toISOString() }, associations: [{ to: { id: t.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 228 }] }] });
    assert.ok(note.id);
  });
  await check('notes getById', async () => {
    assert.strictEqual((await c.crm.objects.notes.basicApi.getById(note.id, ['hs_note_body'])).properties.hs_note_body, 'from node');
  });
  await check('tasks create', async () => {
    const task = await c.crm.objects.tasks.basicApi.create({ properties: { hs_task_subject: 'call back', hs_timestamp: String(Date.now()), hs_task_status: 'NOT_STARTED' }, associations: [] });
    assert.ok(task.id);
  });
  await check('associations v4 create (company)', async () => {
    await c.crm.associations.v4.basicApi.create('tickets', t.id, 'companies', co.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 26 }]);
  });
  await check('associations v4 batch read', async () => {
    const br = await c.crm.associations.v4.batchApi.getPage('tickets', 'companies', { inputs: [{ id: t.id }] });
    assert.strictEqual(String(br.results[0].to[0].toObjectId), co.id);
  });
  // v3's association batch create/read/archive (types by name) and v4's batch archive.
  await check('associations v3 batch create', async () => {
    cy = await c.crm.contacts.basicApi.create({ properties: { firstname: 'Cy', email: 'cy@node.example.com' }, associations: [] });
    pair = { _from: { id: t.id }, to: { id: cy.id }, type: 'ticket_to_contact' };
    const v3c = await c.crm.associations.batchApi.create('tickets', 'contacts', { inputs: [pair] });
    assert.strictEqual(v3c.status, 'COMPLETE'); assert.strictEqual(v3c.results.length, 1);
    assert.strictEqual(v3c.results[0]._from.id, t.id); assert.strictEqual(v3c.results[0].type, 'ticket_to_contact');
  });
  await check('associations v3 batch read', async () => {
    const v3r = await c.crm.associations.batchApi.read('tickets', 'contacts', { inputs: [{ id: t.id }] });
    assert.ok(v3r.results[0].to.some(x => x.id === cy.id && x.type === 'ticket_to_contact'), JSON.stringify(v3r.results));
  });
  await check('associations v3 batch archive', async () => {
    await c.crm.associations.batchApi.archive('tickets', 'contacts', { inputs: [pair] });
  });
  await check('associations v4 batch archive', async () => {
    await c.crm.associations.v4.batchApi.archive('tickets', 'contacts', { inputs: [{ _from: { id: t.id }, to: [{ id: contact.id }] }] });
    const gone = await c.crm.associations.v4.basicApi.getPage('tickets', t.id, 'contacts');
    assert.strictEqual(gone.results.length, 0, JSON.stringify(gone.results));
  });
  await check('associations v4 getPage (notes)', async () => {
    const notes = await c.crm.associations.v4.basicApi.getPage('tickets', t.id, 'notes');
    assert.strictEqual(String(notes.results[0].toObjectId), note.id);
  });
  await check('associations v4 create to a missing record is a 404', async () => {
    assert.strictEqual(await status(c.crm.associations.v4.basicApi.create('tickets', t.id, 'contacts', '999999999', [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }])), 404);
  });
  await check('companies archive', async () => { await c.crm.companies.basicApi.archive(co.id); });
  await check('tickets archive, then getById is a 404', async () => {
    await c.crm.tickets.basicApi.archive(t.id);
    assert.strictEqual(await status(c.crm.tickets.basicApi.getById(t.id)), 404);
  });
  await check('pipelines getAll', async () => {
    const ps = await c.crm.pipelines.pipelinesApi.getAll('tickets');
    assert.deepStrictEqual(ps.results[0].stages.map(x => x.label), ['New', 'Waiting on contact', 'Waiting on us', 'Closed']);
  });
  console.log(`official node client (tickets and records): checks passed ${passed}/${total}`);
  if (passed !== total) process.exit(1);
})().catch(e => { console.error(e); process.exit(1); });
