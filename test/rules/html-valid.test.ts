// The rules' admin pages are valid, tidy HTML, as test/web/html-valid.test.ts holds the main pages.
import { HtmlValidate } from 'html-validate';
import t from 'tap';
import { rulesDesk } from './helpers.js';

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }] },
});

t.test('html-validate finds nothing on the triggers and automations pages', async (t) => {
  const { rule, boss, db } = await rulesDesk(t);
  // Custom fields, so the form has its "field is" rows and their choices.
  const now = new Date().toISOString();
  await db.insertInto('fields').values([
    { key: 'plan', label: 'Plan', kind: 'dropdown', options: JSON.stringify(['Basic', 'Enterprise']), required_before_category: null, created_at: now },
    { key: 'vip', label: 'VIP', kind: 'checkbox', options: '[]', required_before_category: null, created_at: now },
  ]).execute();
  const trigger = await rule('triggers', 'Route invoices', [['events', 'created'], ['contains', 'invoice'], ['fieldKey_0', 'plan'], ['fieldValue_0', 'Enterprise'], ['fieldKey_1', 'vip'], ['fieldValue_1', 'yes'], ['priority', 'high'], ['addTags', 'billing']]);
  const automation = (await db.selectFrom('rules').select('id').where('builtin', '=', 'autoclose.remind').executeTakeFirstOrThrow()).id;
  const own = await rule('automations', 'Nudge', [['idleHours', '72'], ['categories', 'pending'], ['note', 'Waiting.']]);
  for (const path of ['/admin/triggers', '/admin/triggers/new', `/admin/triggers/${trigger}`, `/admin/triggers/${trigger}/test`,
    '/admin/automations', '/admin/automations/new', `/admin/automations/${automation}`, `/admin/automations/${own}`, `/admin/automations/${own}/test`]) {
    const report = await validator.validateString(await boss.page(path));
    const messages = report.results.flatMap((r) => r.messages).map((m) => `${m.ruleId} at line ${m.line}: ${m.message}`);
    t.same(messages, [], path);
  }
});
