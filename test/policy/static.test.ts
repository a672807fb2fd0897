import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t, { type Test } from 'tap';

// Permissions live in one module (src/policy/). Nothing else in src/ compares roles, and no template
// does: verbs and guards ask can(), views ask it.can(). Where a role is plain data (an admin editing
// a person's role), the allow-list below says so, one reason per entry.

const ROOT = join(import.meta.dirname, '..', '..');
const ROLE_NAME = String.raw`['"](?:admin|supervisor|agent|customer)['"]`;

interface Rule { name: string; pattern: RegExp; bad: string[]; fine: string[] }

const SRC_RULES: Rule[] = [
  {
    name: 'a role compared with a role name',
    pattern: new RegExp(String.raw`\w*role\w*[!?]?\s*[!=]==?\s*${ROLE_NAME}|${ROLE_NAME}\s*[!=]==?\s*[\w.?!]*role\b`, 'i'),
    bad: [`if (actor.role !== 'admin') throw`, `user.role === "customer"`, `'agent' === person.role`, `ticket.requester_role !== 'customer'`],
    fine: [`member.role === 'assigned'`, `role: 'customer',`],
  },
  {
    name: "the acting person's role read directly",
    pattern: /\b(?:actor|acting)[!?]?\.role\b/,
    bad: ['request.actor!.role', 'session.actor.role', 'acting.role', 'const key = `${actor.role}`'],
    fine: ['actor.id', 'actorRole'],
  },
  {
    name: 'a role helper outside the policy',
    pattern: /\b(?:isStaff|isManager|isAdmin|requireRole|STAFF_ROLES)\b/,
    bad: ['if (!isStaff(actor))', 'requireRole(...STAFF)', 'STAFF_ROLES.includes(x)'],
    fine: ['can(actor, \'desk.use\')'],
  },
  {
    name: 'a role looked up in a list of roles',
    pattern: /\.includes\(\s*[\w.!?]*\.role\b/,
    bad: ['roles.includes(request.actor.role)', 'STAFF.includes(user.role)'],
    fine: ['ROLES.includes(role as Role)'],
  },
  {
    name: 'a query naming roles (ask rolesOn or rolesThatCan)',
    pattern: new RegExp(String.raw`\(\s*'(?:\w+\.)?role'\s*,\s*'[^']*'\s*,\s*\[?\s*${ROLE_NAME}`),
    bad: [`.where('role', '=', 'admin')`, `.where('users.role', 'in', ['admin', 'agent'])`, `.where('role', '!=', 'customer')`],
    fine: [`.where('role', 'in', rolesOn('staff'))`, `.where('users.role', 'in', rolesThatCan('admin.access'))`, `.where('ticket_members.role', '=', 'assigned')`],
  },
];

const VIEW_RULES: Rule[] = [
  {
    name: 'a template comparing a role',
    pattern: /\brole\s*[!=]==?|[!=]==?\s*[\w.]*\brole\b/,
    bad: [`<% if (it.actor.role === 'admin') { %>`, `<% if ('customer' !== it.actor.role) { %>`],
    fine: [`<p role="status">`, `<%= it.t('admin.users.role.' + person.role) %>`],
  },
  {
    name: "a template reading the actor's role",
    pattern: /\bactor[!?]?\.role\b/,
    bad: [`it.t(it.actor.role === 'customer' ? 'a' : 'b')`, `<%= it.actor.role %>`],
    fine: [`it.can('desk.use')`],
  },
];

/** Where a role is data, not a decision. Each entry must still be needed (a stale one fails). */
const ALLOWED: { file: string; rule: string; reason: string }[] = [
  { file: 'views/admin/users.eta', rule: 'a template comparing a role', reason: 'the people list\'s role filter marks the role the admin picked' },
  { file: 'views/admin/users-show.eta', rule: 'a template comparing a role', reason: 'the form that changes a person\'s role marks their current one' },
  { file: 'src/cli.ts', rule: 'a role looked up in a list of roles', reason: '`deskbell user add --role` checks the option names a role' },
];

t.test('only the CSRF plugin compares a CSRF token (multipart forms reuse its check)', async (t) => {
  const pattern = /safeEqual\([^)]*csrf|x-csrf-token'\]/i;
  t.match(`if (!safeEqual(sent, request.csrfToken)) throw`, pattern);
  t.match(`const sent = field || request.headers['x-csrf-token'];`, pattern);
  const copies = filesUnder('src', '.ts').filter((file) => file !== 'src/plugins/csrf.ts')
    .filter((file) => pattern.test(readFileSync(join(ROOT, file), 'utf8')));
  t.same(copies, [], 'use checkCsrf from src/plugins/csrf.ts');
});

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ext))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

function violations(files: string[], rules: Rule[]) {
  const found: { file: string; rule: string; line: string }[] = [];
  for (const file of files) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      for (const rule of rules) if (rule.pattern.test(line)) found.push({ file, rule: rule.name, line: `${file}:${i + 1}: ${line.trim()}` });
    }
  }
  return found;
}

t.test('each rule catches what it is for, and only that', async (t) => {
  for (const rule of [...SRC_RULES, ...VIEW_RULES]) {
    for (const text of rule.bad) t.match(text, rule.pattern, `${rule.name}: catches ${text}`);
    for (const text of rule.fine) t.notMatch(text, rule.pattern, `${rule.name}: lets ${text} be`);
  }
});

t.test('no file in src/ outside the policy compares roles', async (t) => {
  const files = filesUnder('src', '.ts').filter((file) => !file.startsWith('src/policy/'));
  t.ok(files.length > 100, `${files.length} source files read`);
  const found = violations(files, SRC_RULES);
  const stray = found.filter((v) => !ALLOWED.some((a) => a.file === v.file && a.rule === v.rule));
  t.same(stray.map((v) => `${v.rule} — ${v.line}`), [], 'ask can() (src/policy/can.ts) instead');
  checkAllowList(t, found, 'src/');
});

t.test('no template compares a role', async (t) => {
  const files = filesUnder('views', '.eta');
  t.ok(files.length > 50, `${files.length} templates read`);
  const found = violations(files, VIEW_RULES);
  const stray = found.filter((v) => !ALLOWED.some((a) => a.file === v.file && a.rule === v.rule));
  t.same(stray.map((v) => `${v.rule} — ${v.line}`), [], 'ask it.can(action, subject) instead');
  checkAllowList(t, found, 'views/');
});

function checkAllowList(t: Test, found: { file: string; rule: string }[], prefix: string) {
  for (const entry of ALLOWED.filter((a) => a.file.startsWith(prefix))) {
    t.ok(found.some((v) => v.file === entry.file && v.rule === entry.rule), `still needed: ${entry.file} (${entry.reason})`);
  }
}
