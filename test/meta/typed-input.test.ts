// Typed input at the edge (issue 17, point 4): in the features converted so far, each feature's
// schemas.ts reads raw form bodies (src/lib/form.ts) and the verbs get typed values. This fails when
// a verb of those features parses a form's conventions itself again: '' for "none", 'me', 'none',
// a checkbox's 'on', ids from strings, a Checker, or an input typed `unknown`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

const ROOT = join(import.meta.dirname, '..', '..');

/** The converted features and their verb files. Routes, page assemblers and list filters (query strings) are not verbs. */
const CONVERTED: Record<string, string[]> = {
  tickets: ['edit.ts', 'bulk.ts', 'assignment.ts', 'status.ts', 'cancel.ts', 'customer.ts'],
  messages: ['messages.ts'],
  portal: ['drafts.ts', 'follow-up.ts', 'ccs.ts'],
  chat: ['chat.ts'],
  video: ['video.ts'],
  users: ['invite-customer.ts', 'profile.ts', 'passwords.ts', 'users.ts'],
  auth: ['auth.ts', 'reset.ts', 'two-factor.ts'],
  people: ['people.ts', 'merge.ts'],
  organizations: ['organizations.ts', 'members.ts', 'choice.ts'],
  groups: ['groups.ts', 'members.ts'],
  catalog: ['types.ts', 'fields.ts', 'options.ts', 'type-fields.ts'],
  statuses: ['statuses.ts', 'delete.ts', 'workflow.ts'],
  services: ['services.ts', 'check.ts', 'import.ts'],
  brands: ['brands.ts'],
  'saved-views': ['saved-views.ts'],
  settings: ['edit.ts'],
  texts: ['texts.ts'],
  mailin: ['addresses.ts', 'trust.ts', 'spam.ts'],
  fleet: ['offers.ts', 'assign.ts'],
  signatures: ['signatures.ts'],
  sla: ['admin.ts'],
  macros: ['macros.ts'],
  submissions: ['submit.ts', 'open-ticket.ts'],
  webhooks: ['subscriptions.ts'],
  help: ['articles.ts', 'structure.ts', 'votes.ts'],
};

/** Lines of a verb that compare a stored or derived value, not a form's, with one of those words: file, line, why. */
const NOT_INPUT: [string, RegExp, string][] = [
  ['src/chat/chat.ts', /\bchatState\(ticket\) === 'none'|\bstate === 'none'/, "the messenger's state 'none' (the ticket has none)"],
  ['src/catalog/types.ts', /\{ code\?: unknown \}/, 'an error the database threw, not a form'],
];

const RAW_CONVENTIONS: [RegExp, string][] = [
  [/\bnew Checker\b/, 'builds a Checker (validation belongs in schemas.ts)'],
  [/[!=]==\s*'(?:me|on|none)'|'(?:me|on|none)'\s*[!=]==/, "compares with 'me', 'on' or 'none'"],
  [/\b(?:input|form|body|values|fields)\??\.\w+\s*[!=]==\s*''/, "tests an input field for ''"],
  [/\bpositiveInt\(/, 'reads an id from a string'],
  // A caught error is unknown by nature; an input is not.
  [/\b(?!error\b)\w+\??:\s*unknown\b/, 'takes an input typed unknown'],
];

/** The raw conventions a source parses, as "line: what". */
function findings(source: string): string[] {
  return source.split('\n').flatMap((line, i) =>
    RAW_CONVENTIONS.filter(([pattern]) => pattern.test(line)).map(([, what]) => `${i + 1}: ${what}: ${line.trim()}`));
}

t.test('the check sees each raw convention, and not typed code', async (t) => {
  t.equal(findings(`const check = new Checker();`).length, 1);
  t.equal(findings(`if (value === 'me') return actor.id;`).length, 1);
  t.equal(findings(`const groupId = input.group === 'none' ? null : 1;`).length, 1);
  t.equal(findings(`if (input.all === 'on') {}`).length, 1);
  t.equal(findings(`const p = input.priority === undefined || input.priority === '' ? null : 1;`).length, 1);
  t.equal(findings(`const id = positiveInt(input.typeId);`).length, 1);
  t.equal(findings(`export interface X { subject?: unknown }`).length, 1);
  t.same(findings(`function skipInvalid(error: unknown): void {}`), [], 'a caught error may be unknown');
  t.same(findings(`const { subject, statusId } = input;\nif (statusId !== null) await applyStatus(trx, actor, ticket, statusId, now);\nif (f.value === '') {}`), [],
    'typed values, and a stored value compared with empty');
});

t.test('verbs of the converted features receive typed input and parse no form conventions', async (t) => {
  for (const [feature, verbs] of Object.entries(CONVERTED)) {
    t.ok(existsSync(join(ROOT, 'src', feature, 'schemas.ts')), `${feature} reads its forms in src/${feature}/schemas.ts`);
    for (const verb of verbs) {
      const path = join('src', feature, verb);
      t.ok(existsSync(join(ROOT, path)), `${path} exists (update this list when a verb file moves)`);
      const allowed = NOT_INPUT.filter(([file]) => file === path).map(([, line]) => line);
      t.same(findings(readFileSync(join(ROOT, path), 'utf8')).filter((found) => !allowed.some((line) => line.test(found))), [], path);
    }
  }
});
