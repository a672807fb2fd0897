// Macros (issue 20, point 1): canned responses with placeholders filled in (as literal text) for the
// ticket, unknown placeholders refused when saved, actions applied with the message when it is sent
// (through the kernel: history, one transaction), usage counted, and who may see and change which.
import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&amp;/g, '&');

/** What the compose form would send as it stands: its hidden fields, the chosen kind and the text. */
function composeFields(html: string): Record<string, string> {
  const start = html.indexOf('id="compose"');
  const section = html.slice(start, html.indexOf('</section>', start));
  const fields: Record<string, string> = {};
  for (const m of section.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = decode(m[2]!);
  const kind = /<input type="radio" name="kind" value="(\w+)"[^>]*checked/.exec(section);
  if (kind) fields.kind = kind[1]!;
  const body = /<textarea id="f-body" name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(section);
  fields.body = decode(body?.[1] ?? '');
  delete fields._csrf;
  return fields;
}

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const now = nowIso();
  const agent = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const other = await makeUser(db, 'agent', { name: 'Olga Other' });
  const supervisor = await makeUser(db, 'supervisor', { name: 'Sam Supervisor' });
  const org = await db.insertInto('organizations').values({ name: 'Acme & <Sons>', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const customer = await makeUser(db, 'customer', { name: 'Ann *Star* <b>Bold</b>', organizationId: org.id });
  const id = await makeTicket(db, { requesterId: customer.id, organizationId: org.id, subject: 'Invoice _twice_' });
  const field = await db.insertInto('fields').values({ key: 'order_no', label: 'Order number', kind: 'text', created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_field_values').values({ ticket_id: id, field_id: field.id, value: 'A-17' }).execute();
  const solved = await db.selectFrom('statuses').select(['id', 'name']).where('category', '=', 'solved').orderBy('position').executeTakeFirstOrThrow();
  const login = async (email: string) => {
    const client = new Client(desk.app);
    await client.login(email, PASSWORD);
    await client.page(`/agent/tickets/${id}`);
    return client;
  };
  return { ...desk, agent, other, supervisor, customer, id, solved, staff: await login(agent.email), boss: await login(supervisor.email), login };
}

const macroForm = (fields: Record<string, string>) => ({ name: 'Refund', kind: 'reply', body: 'Hello', status: '', priority: '', type: '', group: '', assignee: '', addTags: '', removeTags: '', ...fields });

t.test('placeholders are filled in for the ticket as literal text, and the agent edits the text before sending', async (t) => {
  const { staff, db, id } = await setup(t);
  const saved = await staff.post('/agent/macros', macroForm({
    name: 'Greeting', kind: 'reply',
    body: 'Hi {{requester.first_name}} ({{requester.name}}), about #{{ticket.id}} "{{ticket.subject}}" for {{organization.name}}, order {{ticket.fields.order_no}}.\n\n{{ agent.name }}',
  }));
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, '/agent/macros');
  const macro = await db.selectFrom('macros').selectAll().executeTakeFirstOrThrow();
  t.equal(macro.shared, 0, 'an agent\'s macro is personal');

  const page = await staff.page(`/agent/tickets/${id}`);
  t.match(page, `<option value="${macro.id}">Greeting</option>`, 'the compose box offers it');
  const applied = await staff.post(`/agent/tickets/${id}/macro`, { kind: 'note', body: '', tab: 'general', macroChoice: String(macro.id), macroAction: 'apply' });
  t.equal(applied.statusCode, 200, 'Apply shows the page again');
  const fields = composeFields(applied.body);
  t.equal(fields.body, `Hi Ann (Ann \\*Star\\* \\<b\\>Bold\\</b\\>), about #${id} "Invoice \\_twice\\_" for Acme \\& \\<Sons\\>, order A-17.\n\nRobin Agent`,
    'each value filled in, what Markdown would read escaped');
  t.notMatch(applied.body, '<b>Bold</b>', 'no markup from a value reaches the page');
  t.equal(fields.kind, 'reply', 'the macro\'s kind is chosen');
  t.equal(fields.macroId, String(macro.id));
  t.equal(await db.selectFrom('messages').select('id').where('ticket_id', '=', id).executeTakeFirst(), undefined, 'nothing is sent on Apply');

  const sent = await staff.post(`/agent/tickets/${id}/messages`, { ...fields, body: `${fields.body}\n\nP.S. edited` });
  t.equal(sent.statusCode, 303);
  const message = await db.selectFrom('messages').selectAll().where('ticket_id', '=', id).executeTakeFirstOrThrow();
  t.equal(message.kind, 'reply');
  t.match(message.body_text, /P\.S\. edited$/, 'the agent\'s edit is sent');
  t.notMatch(message.body_html, '<b>', 'the requester\'s name is text in the message, not markup');
  t.notMatch(message.body_html, '<em>', 'nor emphasis');
  t.match(message.body_html, '*Star* &lt;b&gt;Bold&lt;/b&gt;');
  const used = await db.selectFrom('macros').select(['usage_count', 'last_used_at']).where('id', '=', macro.id).executeTakeFirstOrThrow();
  t.equal(used.usage_count, 1, 'the use is counted');
  t.ok(used.last_used_at, 'and when');
});

t.test('an unknown placeholder is refused when the macro is saved: the form again (422) with the message and the values', async (t) => {
  const { staff, db } = await setup(t);
  for (const body of ['Dear {{customer.name}}', 'Your {{ticket.fields.no_such_field}}']) {
    const refused = await staff.post('/agent/macros', macroForm({ name: 'Broken one', body, addTags: 'vip' }));
    t.equal(refused.statusCode, 422, body);
    t.match(refused.body, /is not a placeholder a macro knows/);
    t.match(refused.body, 'value="Broken one"', 'the name kept');
    t.match(refused.body, body.replace(/[{}]/g, (c) => c), 'the text kept');
    t.match(refused.body, 'value="vip"', 'the actions kept');
  }
  t.equal((await db.selectFrom('macros').select('id').execute()).length, 0, 'nothing saved');
  const edited = await staff.post('/agent/macros', macroForm({ name: 'Fine', body: 'Hi {{requester.name}}' }));
  t.equal(edited.statusCode, 303);
  const macro = await db.selectFrom('macros').select('id').executeTakeFirstOrThrow();
  const refused = await staff.post(`/agent/macros/${macro.id}`, macroForm({ name: 'Fine', body: 'Hi {{requester.email}}' }));
  t.equal(refused.statusCode, 422, 'an edit too');
  t.equal((await db.selectFrom('macros').select('body').executeTakeFirstOrThrow()).body, 'Hi {{requester.name}}');
});

t.test('a macro\'s actions are listed on Apply and applied with the message on Send, in history; the usage count shows', async (t) => {
  const { staff, db, id, solved } = await setup(t);
  await staff.post('/agent/macros', macroForm({ name: 'Close as billing', kind: 'note', body: 'Refund issued.', status: String(solved.id), priority: 'high', addTags: 'Billing refund', assignee: 'me' }));
  const macro = await db.selectFrom('macros').selectAll().executeTakeFirstOrThrow();
  const before = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  const applied = await staff.post(`/agent/tickets/${id}/macro`, { kind: 'reply', body: 'Thanks for waiting.', tab: 'general', macroChoice: String(macro.id), macroAction: 'apply' });
  t.equal(applied.statusCode, 200);
  t.match(applied.body, 'Macro “Close as billing” applied.');
  t.match(applied.body, `<li>Set status: ${solved.name}</li>`);
  t.match(applied.body, '<li>Add tags: billing, refund</li>');
  t.match(applied.body, '<li>Assign to: Robin Agent (me)</li>');
  const fields = composeFields(applied.body);
  t.equal(fields.body, 'Thanks for waiting.\n\nRefund issued.', 'the macro\'s text after what was typed');
  t.equal(fields.kind, 'note');
  t.same({ status: fields.macro_status, tags: fields.macro_addTags, assignee: fields.macro_assignee, priority: fields.macro_priority },
    { status: String(solved.id), tags: 'billing refund', assignee: 'me', priority: 'high' }, 'the actions ride as hidden fields');
  const unchanged = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.same(unchanged, before, 'Apply changed nothing');
  t.equal((await db.selectFrom('ticket_tags').select('tag_id').where('ticket_id', '=', id).execute()).length, 0);

  const sent = await staff.post(`/agent/tickets/${id}/messages`, fields);
  t.equal(sent.statusCode, 303);
  const ticket = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(ticket.status_id, solved.id, 'the status is set');
  t.equal(ticket.priority, 'high');
  t.ok(ticket.solved_at, 'with its stamp');
  const tags = await db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id').select('tags.name').where('ticket_id', '=', id).orderBy('tags.name').execute();
  t.same(tags.map((r) => r.name), ['billing', 'refund'], 'the tags are added');
  const history = await db.selectFrom('ticket_events').select(['kind', 'to_value']).where('ticket_id', '=', id).orderBy('id').execute();
  const lines = history.map((h) => (h.kind === 'priority' ? 'priority' : `${h.kind}: ${h.to_value}`));
  t.same(lines.slice(0, 5), ['macro: Close as billing', 'priority', 'tag_added: billing', 'tag_added: refund', 'assignee: Robin Agent'],
    'History: the macro, then each change it made');
  t.equal(lines.at(-1), `status: ${solved.name}`, 'the status last');
  const page = await staff.page(`/agent/tickets/${id}?tab=history`);
  t.match(page, /<td>Macro applied<\/td>\s*<td><\/td>\s*<td>Close as billing<\/td>/, 'the History tab names the macro');
  t.match(page, '<a href="/agent/tickets?tag=billing">billing</a>', 'the tag shows on the page');
  const note = await db.selectFrom('messages').select(['kind', 'body_text']).where('ticket_id', '=', id).executeTakeFirstOrThrow();
  t.same(note, { kind: 'note', body_text: 'Thanks for waiting.\n\nRefund issued.' });

  const list = await staff.page('/agent/macros');
  t.match(list, /<td class="macro-usage">1<\/td>/, 'the macros page counts the use');
  t.notMatch(list, /<td>Never<\/td>/, 'and shows when it was last used');
});

t.test('a message refused rolls back the macro\'s actions: nothing changed, the form keeps the pending macro', async (t) => {
  const { staff, db, id, solved } = await setup(t);
  await staff.post('/agent/macros', macroForm({ name: 'Solve', body: 'Done.', status: String(solved.id), addTags: 'done' }));
  const macro = await db.selectFrom('macros').selectAll().executeTakeFirstOrThrow();
  const fields = composeFields((await staff.post(`/agent/tickets/${id}/macro`, { kind: 'reply', body: '', tab: 'general', macroChoice: String(macro.id), macroAction: 'apply' })).body);
  const refused = await staff.post(`/agent/tickets/${id}/messages`, { ...fields, body: '   ' });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, '<li>Add tags: done</li>', 'the pending actions are listed again');
  t.match(refused.body, `name="macro_status" value="${solved.id}"`);
  t.equal((await db.selectFrom('ticket_tags').select('tag_id').where('ticket_id', '=', id).execute()).length, 0);
  t.equal((await db.selectFrom('macros').select('usage_count').executeTakeFirstOrThrow()).usage_count, 0, 'not counted');
  const cleared = await staff.post(`/agent/tickets/${id}/macro`, { ...fields, body: 'Done, by hand.', macroAction: 'clear' });
  t.equal(cleared.statusCode, 200, '"Remove macro" shows the form again');
  t.same(composeFields(cleared.body), { seenMessageId: fields.seenMessageId, tab: 'general', kind: 'reply', body: 'Done, by hand.' }, 'with the text, without the macro');
  t.equal((await staff.post(`/agent/tickets/${id}/messages`, composeFields(cleared.body))).statusCode, 303);
  t.equal((await db.selectFrom('ticket_tags').select('tag_id').where('ticket_id', '=', id).execute()).length, 0, 'sent without its actions');
});

t.test('shared macros: supervisors create and change them, agents use and duplicate them but cannot change them', async (t) => {
  const { staff, boss, db, id, agent } = await setup(t);
  const refused = await staff.post('/agent/macros', macroForm({ name: 'Team answer', shared: '1' }));
  t.equal(refused.statusCode, 403, 'an agent cannot share a macro');
  t.equal((await db.selectFrom('macros').select('id').execute()).length, 0);

  t.equal((await boss.post('/agent/macros', macroForm({ name: 'Team answer', shared: '1', body: 'From all of us.' }))).statusCode, 303);
  const shared = await db.selectFrom('macros').selectAll().executeTakeFirstOrThrow();
  t.equal(shared.shared, 1);
  const audit = await db.selectFrom('audit_log').select('action').where('subject_type', '=', 'macro').execute();
  t.same(audit.map((a) => a.action), ['macro.created'], 'a shared macro is audited');

  const list = await staff.page('/agent/macros');
  t.match(list, 'Team answer', 'the agent sees it');
  t.match(list, 'Shared with everyone');
  t.notMatch(list, `/agent/macros/${shared.id}/edit`, 'without an edit link');
  t.match(await staff.page(`/agent/tickets/${id}`), `<option value="${shared.id}">Team answer</option>`, 'and may apply it');
  t.equal((await staff.get(`/agent/macros/${shared.id}/edit`)).statusCode, 403, 'an agent cannot edit a shared macro');
  t.equal((await staff.post(`/agent/macros/${shared.id}`, macroForm({ name: 'Mine now', body: 'x' }))).statusCode, 403);
  t.equal((await staff.post(`/agent/macros/${shared.id}/delete`)).statusCode, 403, 'nor delete it');
  t.equal((await db.selectFrom('macros').select('name').where('id', '=', shared.id).executeTakeFirstOrThrow()).name, 'Team answer');

  const copyForm = await staff.page(`/agent/macros/${shared.id}/duplicate`);
  t.match(copyForm, 'value="Team answer (copy)"', 'Duplicate opens the new-macro form with a copy');
  t.match(copyForm, 'From all of us.</textarea>');
  t.notMatch(copyForm, 'name="shared"', 'an agent\'s copy cannot be shared');
  t.equal((await db.selectFrom('macros').select('id').execute()).length, 1, 'nothing is made until it is saved');
  const copy = await staff.post('/agent/macros', macroForm({ name: 'Team answer (copy)', body: 'From all of us.', shared: '' }));
  t.equal(copy.statusCode, 303);
  const duplicate = await db.selectFrom('macros').selectAll().where('id', '!=', shared.id).executeTakeFirstOrThrow();
  t.same({ name: duplicate.name, owner: duplicate.owner_id, shared: duplicate.shared, body: duplicate.body },
    { name: 'Team answer (copy)', owner: agent.id, shared: 0, body: 'From all of us.' }, 'a duplicate is the agent\'s own');
  t.equal((await staff.post(`/agent/macros/${duplicate.id}`, macroForm({ name: 'My answer', body: 'From me.' }))).statusCode, 303, 'which they may change');

  t.equal((await boss.post(`/agent/macros/${shared.id}`, macroForm({ name: 'Team answer v2', shared: '1', body: 'From all of us.' }))).statusCode, 303, 'a supervisor changes it');
  t.equal((await boss.get(`/agent/macros/${duplicate.id}/edit`)).statusCode, 404, 'another person\'s personal macro is not found, even by a supervisor');
  t.equal((await boss.post(`/agent/macros/${shared.id}/delete`)).statusCode, 303);
  t.equal(await db.selectFrom('macros').select('id').where('id', '=', shared.id).executeTakeFirst(), undefined);
});

t.test('a macro limited to a group is offered to its members only', async (t) => {
  const { staff, boss, db, id, other, login } = await setup(t);
  const now = nowIso();
  const group = await db.insertInto('groups').values({ name: 'Billing team', created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('group_members').values({ group_id: group.id, user_id: other.id }).execute();
  t.equal((await boss.post('/agent/macros', macroForm({ name: 'Billing only', shared: '1', groupId: String(group.id), body: 'Billing says hi.' }))).statusCode, 303);
  const macro = await db.selectFrom('macros').selectAll().executeTakeFirstOrThrow();
  t.equal(macro.group_id, group.id);

  const page = await staff.page(`/agent/tickets/${id}`);
  t.notMatch(page, 'Billing only', 'not offered to an agent outside the group');
  t.notMatch(await staff.page('/agent/macros'), 'Billing only', 'nor listed');
  const applied = await staff.post(`/agent/tickets/${id}/macro`, { kind: 'reply', body: '', tab: 'general', macroChoice: String(macro.id), macroAction: 'apply' });
  t.equal(applied.statusCode, 422, 'applying it by its number is refused');
  t.notMatch(applied.body, 'Billing says hi.');
  t.equal((await staff.get(`/agent/tickets/${id}/macros/preview?macroChoice=${macro.id}`)).statusCode, 404, 'nor previewed');
  // Its hidden fields forged into a message: the message is refused and nothing counted.
  const forged = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Hello', macroId: String(macro.id) });
  t.equal(forged.statusCode, 422);
  t.equal((await db.selectFrom('macros').select('usage_count').executeTakeFirstOrThrow()).usage_count, 0);

  const member = await login(other.email);
  t.match(await member.page(`/agent/tickets/${id}`), `<option value="${macro.id}">Billing only</option>`, 'a member is offered it');
  t.match(await member.page(`/agent/tickets/${id}/macros?macroQ=billing`), 'Billing only', 'and finds it by name (htmx search)');
  t.notMatch(await member.page(`/agent/tickets/${id}/macros?macroQ=zzz`), 'Billing only', 'and not by another');
  const preview = await member.get(`/agent/tickets/${id}/macros/preview?macroChoice=${macro.id}`);
  t.equal(preview.statusCode, 200);
  t.match(preview.body, '<p>Billing says hi.</p>', 'the preview shows the text as it will read');
});

t.test('the macros page searches by name or text; without JavaScript Search narrows the compose box\'s select', async (t) => {
  const { staff, db, id } = await setup(t);
  await staff.post('/agent/macros', macroForm({ name: 'Password reset', body: 'Use the link.' }));
  await staff.post('/agent/macros', macroForm({ name: 'Shipping delay', body: 'Your parcel is late.' }));
  const found = await staff.page('/agent/macros?q=parcel');
  t.match(found, 'Shipping delay');
  t.notMatch(found, 'Password reset');
  t.match(await staff.page('/agent/macros?q=nothing-like-it'), 'No macro matches');
  const searched = await staff.post(`/agent/tickets/${id}/macro`, { kind: 'reply', body: 'Typed first', tab: 'general', macroQ: 'pass', macroAction: 'search' });
  t.equal(searched.statusCode, 200);
  t.match(searched.body, 'Password reset');
  t.notMatch(searched.body, '>Shipping delay<');
  t.equal(composeFields(searched.body).body, 'Typed first', 'the text typed stays');
  const none = await staff.post(`/agent/tickets/${id}/macro`, { kind: 'reply', body: 'Typed', tab: 'general', macroAction: 'apply' });
  t.equal(none.statusCode, 422, 'Apply without a macro');
  t.match(none.body, 'Choose a macro to apply.');
  t.equal((await db.selectFrom('messages').select('id').execute()).length, 0);
});

t.test('the policy: who manages and who is offered which macro', async (t) => {
  const { can } = await import('../../src/policy/can.js');
  const agent = { id: 10, role: 'agent' as const };
  const supervisor = { id: 3, role: 'supervisor' as const };
  const customer = { id: 20, role: 'customer' as const };
  t.ok(can(agent, 'macro.manage', { owner_id: 10, shared: 0 }), 'one\'s own personal macro');
  t.notOk(can(agent, 'macro.manage', { owner_id: 10, shared: 1 }), 'not a shared one, even one\'s own');
  t.ok(can(supervisor, 'macro.manage', { owner_id: 10, shared: 1 }), 'supervisors manage shared macros');
  t.notOk(can(supervisor, 'macro.manage', { owner_id: 10, shared: 0 }), 'nobody else\'s personal macro');
  t.ok(can(agent, 'macro.use', { owner_id: 3, shared: 1, group_id: null, memberOf: [] }), 'a shared macro for everyone');
  t.notOk(can(agent, 'macro.use', { owner_id: 3, shared: 1, group_id: 7, memberOf: [8] }), 'not one of another group');
  t.ok(can(agent, 'macro.use', { owner_id: 3, shared: 1, group_id: 7, memberOf: [7] }), 'one of their group');
  t.notOk(can(supervisor, 'macro.use', { owner_id: 10, shared: 0, group_id: null, memberOf: [] }), 'not another person\'s personal macro');
  t.notOk(can(customer, 'macro.use', { owner_id: 3, shared: 1, group_id: null, memberOf: [] }), 'customers have none');
  t.notOk(can(agent, 'macros.share'), 'agents do not share');
  t.ok(can(supervisor, 'macros.share'));
});
