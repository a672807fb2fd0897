// Trigger conditions on the ticket's brand and on its custom fields (issue 21, point 3: "conditions
// on the ticket's fields"): built in the admin form, refused with the values kept when they name
// what the desk does not have, and firing on the matching ticket only.
import t from 'tap';
import { meets, type TicketFacts } from '../../src/rules/conditions.js';
import { nowIso } from '../../src/lib/time.js';
import { postPairs, rulesDesk } from './helpers.js';

/** The rules desk, with a second brand (Nimbus) and three fields on Cora's type: plan (drop-down), account (text), vip (checkbox). */
async function fieldsDesk(t: Parameters<typeof rulesDesk>[0]) {
  const desk = await rulesDesk(t);
  const { db, question, portal, app } = desk;
  const now = nowIso();
  const nimbus = await db.insertInto('brands').values({ name: 'Nimbus', from_name: 'Nimbus', from_address: 'help@nimbus.test', portal_title: 'Nimbus', colour: null, is_default: 0, created_at: now })
    .returning('id').executeTakeFirstOrThrow();
  const options = JSON.stringify([{ value: 'basic', label: 'Basic' }, { value: 'enterprise', label: 'Enterprise' }]);
  const fields = await db.insertInto('fields').values([
    { key: 'plan', label: 'Plan', kind: 'dropdown', options, customer_visible: 1, required_before_category: null, created_at: now },
    { key: 'account', label: 'Account', kind: 'text', options: '[]', customer_visible: 1, required_before_category: null, created_at: now },
    { key: 'vip', label: 'VIP', kind: 'checkbox', options: '[]', customer_visible: 1, required_before_category: null, created_at: now },
  ]).returning('id').execute();
  await db.insertInto('ticket_type_fields').values(fields.map((f, i) => ({ type_id: question, field_id: f.id, position: i + 1 }))).execute();
  /** Cora submits in the portal, with a brand (one must be chosen when there are two) and field values. */
  const submit = async (subject: string, extra: Record<string, string>) => {
    await portal.get('/portal/tickets/new');
    const created = await portal.post('/portal/tickets', { typeId: String(question), subject, message: 'Please help.', ...extra });
    const id = Number(/\/portal\/tickets\/(\d+)/.exec(String(created.headers.location))?.[1]);
    if (!id) throw new Error(`no ticket: ${created.statusCode} ${(created.body.match(/class="error"[^>]*>[^<]*/g) ?? []).join(' | ')}`);
    await app.worker.drain();
    return id;
  };
  const main = (await db.selectFrom('brands').select('id').where('is_default', '=', 1).executeTakeFirstOrThrow()).id;
  return { ...desk, nimbus: nimbus.id, main, submitWith: submit };
}

t.test('a brand condition and a field condition fire on the matching ticket and not on another', async (t) => {
  const { rule, submitWith, tags, ticket, db, nimbus, main, boss, history } = await fieldsDesk(t);
  await rule('triggers', 'Nimbus tickets', [['events', 'created'], ['brandIds', String(nimbus)], ['addTags', 'nimbus']]);
  const enterprise = await rule('triggers', 'Enterprise is urgent', [['events', 'created'],
    ['fieldKey_0', 'plan'], ['fieldOp_0', 'is'], ['fieldValue_0', 'Enterprise'], ['priority', 'urgent']]);
  await rule('triggers', 'Not a VIP, not account 7', [['events', 'created'],
    ['fieldKey_0', 'vip'], ['fieldOp_0', 'not'], ['fieldValue_0', 'yes'], ['fieldKey_1', 'account'], ['fieldOp_1', 'not'], ['fieldValue_1', 'ACC-7'],
    ['addTags', 'ordinary']]);
  const saved = await db.selectFrom('rules').select('conditions').where('id', '=', enterprise).executeTakeFirstOrThrow();
  t.same(JSON.parse(saved.conditions), { fields: [{ key: 'plan', op: 'is', value: 'enterprise' }] }, 'a choice typed by its label is stored by its value');

  const big = await submitWith('Nimbus enterprise', { brandId: String(nimbus), field_plan: 'enterprise', field_account: 'acc-7' });
  t.same([(await ticket(big)).priority, await tags(big)], ['urgent', ['nimbus']], 'brand and plan match; account acc-7 is ACC-7 (case aside)');
  t.same((await history(big)).filter((h) => h.kind === 'trigger').map((h) => h.from_value), ['Nimbus tickets', 'Enterprise is urgent']);
  const small = await submitWith('Default brand, basic plan', { brandId: String(main), field_plan: 'basic', field_account: 'ACC-8' });
  t.same([(await ticket(small)).priority, await tags(small)], ['normal', ['ordinary']], 'another brand, another plan: neither fires; not a VIP, another account');
  const vip = await submitWith('A VIP', { brandId: String(main), field_vip: '1', field_plan: 'enterprise' });
  t.same([(await ticket(vip)).priority, await tags(vip)], ['urgent', []], 'a ticked box is a VIP: "not a VIP" does not hold');

  const form = await boss.page(`/admin/triggers/${enterprise}`);
  t.match(form, /<select id="f-fieldKey_0" name="fieldKey_0">[\s\S]*?<option value="plan" selected>Plan \(plan\)<\/option>/, 'the edit form shows the saved field');
  t.match(form, /name="fieldValue_0" type="text" value="enterprise"/);
  t.match(form, /<option value="enterprise">Plan: Enterprise<\/option>/, 'the choices are offered');
  t.match(form, /name="fieldKey_1"/, 'and a blank row for another');
  const preview = await boss.page(`/admin/triggers/${enterprise}/test`);
  t.match(preview, `id="match-${big}"`, 'test mode reads the fields too');
  t.match(preview, `id="match-${vip}"`);
  t.notMatch(preview, `id="match-${small}"`);
});

t.test('a field or brand the desk does not have, a choice the field does not offer: refused, the values kept, nothing saved', async (t) => {
  const { boss, db } = await fieldsDesk(t);
  await boss.get('/admin/triggers/new');
  const refused = await postPairs(boss, '/admin/triggers', [['name', 'Bad'], ['events', 'created'], ['brandIds', '9999'], ['addTags', 'x'],
    ['fieldKey_0', 'nosuch'], ['fieldValue_0', 'gold'], ['fieldKey_1', 'plan'], ['fieldOp_1', 'not'], ['fieldValue_1', 'Platinum'],
    ['fieldKey_2', 'vip'], ['fieldValue_2', 'maybe'], ['fieldKey_3', 'account'], ['fieldValue_3', '']]);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /id="f-brandIds-error">Choose one of the options/, 'the brand is refused');
  t.match(refused.body, /id="f-fieldKey_0-error">Choose one of the desk&#39;s fields\./, 'the unknown field');
  t.match(refused.body, /<option value="nosuch" selected>nosuch<\/option>/, 'kept as it was sent');
  t.match(refused.body, /name="fieldValue_0" type="text" value="gold"/);
  t.match(refused.body, /id="f-fieldValue_1-error">Enter one of the field&#39;s choices: Basic, Enterprise\./);
  t.match(refused.body, /<select id="f-fieldOp_1" name="fieldOp_1">[\s\S]*?<option value="not" selected>is not<\/option>/);
  t.match(refused.body, /id="f-fieldValue_2-error">Enter yes or no\./);
  t.match(refused.body, /id="f-fieldValue_3-error">/, 'a field needs a value');
  t.same(await db.selectFrom('rules').select('id').where('kind', '=', 'trigger').execute(), [], 'nothing saved');

  const automation = await postPairs(boss, '/admin/automations', [['name', 'Old enterprise'], ['enabled', '1'], ['idleHours', '48'],
    ['fieldKey_0', 'plan'], ['fieldValue_0', 'enterprise'], ['brandIds', '1'], ['note', 'Still here?']]);
  t.equal(automation.statusCode, 303, 'automations take them too');
  const row = await db.selectFrom('rules').select('conditions').where('name', '=', 'Old enterprise').executeTakeFirstOrThrow();
  t.same(JSON.parse(row.conditions), { brandIds: [1], fields: [{ key: 'plan', op: 'is', value: 'enterprise' }], idleHours: 48 });
});

t.test('field and brand conditions on the facts of a ticket', async (t) => {
  const ticket: TicketFacts = {
    id: 1, subject: 'Hi', status_id: 1, status_category: 'new', priority: 'normal', type_id: 1, group_id: null, assignee_id: null,
    organization_id: null, brand_id: 2, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z',
    last_activity_at: '2026-01-01T00:00:00.000Z', solved_at: null, tags: [], reminded_at: null, fields: { plan: 'enterprise', vip: '0', account: ' Acme ' },
  };
  const context = { now: Date.parse('2026-01-02T00:00:00.000Z'), inBusinessHours: true, times: {} };
  const cases: [string, object, boolean][] = [
    ['brand', { brandIds: [1, 2] }, true], ['brand not', { brandIds: [1] }, false],
    ['plan is', { fields: [{ key: 'plan', op: 'is', value: 'enterprise' }] }, true],
    ['plan is not', { fields: [{ key: 'plan', op: 'not', value: 'enterprise' }] }, false],
    ['unticked', { fields: [{ key: 'vip', op: 'is', value: '0' }] }, true],
    ['text, case and spaces aside', { fields: [{ key: 'account', op: 'is', value: 'acme' }] }, true],
    ['text is whole', { fields: [{ key: 'account', op: 'is', value: 'acm' }] }, false],
    ['no value is not a value', { fields: [{ key: 'region', op: 'not', value: 'eu' }] }, true],
    ['no value is not it', { fields: [{ key: 'region', op: 'is', value: 'eu' }] }, false],
    ['every row must hold', { fields: [{ key: 'plan', op: 'is', value: 'enterprise' }, { key: 'vip', op: 'is', value: '1' }] }, false],
  ];
  for (const [name, conditions, expected] of cases) t.equal(meets(conditions, ticket, null, context), expected, name);
});
