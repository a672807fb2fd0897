// The form adapter (src/lib/form.ts) against the Checker it replaced (checker-reference.ts): for each kind of field and
// a corpus of awkward values, the same typed value and the same catalogue key.
import t from 'tap';
import * as z from 'zod';
import { Invalid } from '../../src/lib/errors.js';
import {
  assignee, checkbox, choice, confirmed, email, flag, id, list, longText, maybeId, newPasswordFields, optionalEmail, optionalId, parseForm, password, readForm, secret, text, unchanged,
} from '../../src/lib/form.js';
import { positiveInt } from '../../src/lib/validate.js';
import { Checker } from './checker-reference.js';

/** One field through the adapter: its value, or its error key. */
function viaForm(field: z.ZodType, value: unknown): { value?: unknown; error?: string } {
  const { value: out, errors } = readForm(z.object({ f: field }), value === undefined ? {} : { f: value });
  return errors.f === undefined ? { value: out.f } : { error: errors.f };
}

/** The same through a Checker method. */
function viaChecker(read: (check: Checker, value: unknown) => unknown, value: unknown): { value?: unknown; error?: string } {
  const check = new Checker();
  const out = read(check, value);
  return check.errors.f === undefined ? { value: out } : { error: check.errors.f };
}

const long = (n: number, c = 'x') => c.repeat(n);
const TEXTS: unknown[] = [
  undefined, '', '   ', ' ok ', 'a\nb', 'a\r\nb', ' \r\n ', long(120), long(121), long(200), long(201), ` ${long(200)} `, `${long(201)}\n`,
  long(1000), long(1001), `${long(600)}\n${long(600)}`, ['a', 'b'], 7, null, '\tTabbed\t', 'Ünïcödé ✓',
];

t.test('text: required, max and single line as Checker.text', async (t) => {
  for (const options of [{}, { required: false, max: 120 }, { max: 1000 }, { max: 2000 }, { required: false, max: 5000 }]) {
    for (const value of TEXTS) {
      t.same(viaForm(text(options), value), viaChecker((c, v) => c.text('f', v, options), value), `${JSON.stringify(options)} ${JSON.stringify(value)?.slice(0, 30)}`);
    }
  }
});

t.test('text with a format: judged after the other rules, an empty optional text passes', async (t) => {
  const key = (options: { required?: boolean }) => text({ ...options, max: 40, format: { pattern: /^[a-z_]+$/, error: 'x.format' } });
  t.same(viaForm(key({}), ' ok_key '), { value: 'ok_key' });
  t.same(viaForm(key({}), 'Not A Key'), { error: 'x.format' });
  t.same(viaForm(key({}), ''), { error: 'errors.required' });
  t.same(viaForm(key({}), long(41, 'X')), { error: 'errors.tooLong' }, 'too long before a wrong format, as a Checker did');
  t.same(viaForm(key({ required: false }), ''), { value: '' });
  t.same(readForm(z.object({ f: key({}) }), { f: 'BAD' }).value, { f: '' }, 'a wrong one holds its blank');
});

t.test('longText: CRLF read as LF, trimmed, required and max as Checker.longText', async (t) => {
  const values = [...TEXTS, ' line one\r\nline two \r\n', '\r\n\r\n', `${long(999)}\r\n`, long(100_001), `  ${long(2000)}  `];
  for (const options of [{}, { required: false, max: 2000 }, { max: 1000 }]) {
    for (const value of values) {
      t.same(viaForm(longText(options), value), viaChecker((c, v) => c.longText('f', v, options), value), `${JSON.stringify(options)} ${JSON.stringify(value)?.slice(0, 30)}`);
    }
  }
});

t.test('email: trimmed, lower-cased, required, at most 254, one line, an address', async (t) => {
  const values = [undefined, '', '  ', ' Ada@Example.TEST ', 'nope', 'a@b', 'a b@c.de', 'a@b.c\n', `${long(245)}@example.co`, `${long(250)}@example.co`,
    'x@y.z', '<a@b.co>', 'A@B.CO', ['a@b.co'], 'ä@b.co'];
  for (const value of values) t.same(viaForm(email(), value), viaChecker((c, v) => c.email('f', v), value), JSON.stringify(value)?.slice(0, 30));
});

t.test('optionalEmail: nothing typed is null, else an address as Checker.email', async (t) => {
  for (const value of [undefined, '', '   ', ' Ada@Example.TEST ', 'nope', 'a b@c.de', `${long(250)}@example.co`, 'a@b.c\n']) {
    const before = typeof value === 'string' && value.trim() ? viaChecker((c, v) => c.email('f', v), value) : { value: null };
    t.same(viaForm(optionalEmail(), value), before, JSON.stringify(value)?.slice(0, 30));
  }
  t.same(readForm(z.object({ f: optionalEmail() }), { f: 'nope' }).value, { f: null }, 'a wrong one holds null');
});

t.test('choice: one of the allowed values as Checker.oneOf; a blank may stand for a default', async (t) => {
  const allowed = ['low', 'normal', 'high'] as const;
  for (const value of [undefined, '', 'low', 'high', 'LOW', ' low', 'urgent', ['low'], 3]) {
    t.same(viaForm(choice(allowed), value), viaChecker((c, v) => c.oneOf('f', v, allowed), value), JSON.stringify(value));
  }
  // What openTicketForCustomer did: '' or missing is "no choice", anything else must be allowed.
  const blankOr = <B>(blank: B) => (c: Checker, v: unknown) => (v === undefined || v === '' ? blank : c.oneOf('f', v, allowed));
  for (const value of [undefined, '', 'low', 'urgent']) {
    t.same(viaForm(choice(allowed, { blank: null }), value), viaChecker(blankOr(null), value), `blank null ${JSON.stringify(value)}`);
    t.same(viaForm(choice(allowed, { blank: 'normal' }), value), viaChecker(blankOr('normal'), value), `blank normal ${JSON.stringify(value)}`);
  }
});

t.test('passwords: as typed, 12 to 1,000 characters, not a common one, as Checker.password; a secret is only required', async (t) => {
  for (const value of [undefined, '', ' ', long(11), ` ${long(10)} `, long(12), ` ${long(11)}`, long(1000), long(1001), ['a long enough one'], 123456789012, 'Password1234', 'password1234']) {
    t.same(viaForm(password(), value), viaChecker((c, v) => c.password('f', v), value), JSON.stringify(value)?.slice(0, 30));
  }
  t.same(viaForm(secret(), ' x '), { value: ' x ' }, 'never trimmed');
  t.same(viaForm(secret(), ''), { error: 'errors.required' });
  t.same(viaForm(secret(), undefined), { error: 'errors.required' });
});

t.test('a new password typed twice: the repetition is judged once the password is fine, as before', async (t) => {
  const schema = confirmed(z.object({ current: secret(), ...newPasswordFields() }));
  // The rule of users/passwords.ts's checkNewPassword.
  const before = (body: Record<string, unknown>) => {
    const check = new Checker();
    if (!(typeof body.current === 'string' && body.current)) check.add('current', 'errors.required');
    check.password('password', body.password);
    if (!check.errors.password && body.confirm !== body.password) check.add('confirm', 'errors.passwordMismatch');
    return check.errors;
  };
  const good = long(12);
  for (const body of [
    { current: 'x', password: good, confirm: good }, { current: '', password: good, confirm: 'other' }, { current: 'x', password: 'short', confirm: 'other' },
    { current: 'x', password: good }, { password: good, confirm: [good] }, { current: 'x', password: ` ${good}`, confirm: good }, {},
  ]) {
    t.same(readForm(schema, body).errors, before(body), JSON.stringify(body).slice(0, 60));
  }
  t.same(parseForm(schema, { current: 'x', password: good, confirm: good }), { current: 'x', password: good, confirm: good });
});

const IDS = ['1', '42', '007', '0', '000', '-1', '1.5', '0x10', '1e3', ' 7 ', '7 ', '', 'me', '9007199254740991', '9007199254740993',
  '1234567890123456', '12345678901234567', 'abc'];

t.test('ids: positiveInt\'s rules, strict, optional or lenient', async (t) => {
  for (const value of [...IDS, undefined]) {
    const n = positiveInt(value);
    t.same(viaForm(id(), value), n === null ? { error: 'errors.choice' } : { value: n }, `id ${JSON.stringify(value)}`);
    t.same(viaForm(optionalId(), value), value === undefined || value === '' ? { value: null } : n === null ? { error: 'errors.choice' } : { value: n }, `optionalId ${JSON.stringify(value)}`);
    t.same(viaForm(maybeId(), value), { value: n }, `maybeId ${JSON.stringify(value)}`);
  }
  t.same(viaForm(id({ error: 'errors.required' }), 'x'), { error: 'errors.required' }, 'the key can be chosen');
  t.same(viaForm(maybeId(), ['5']), { value: null }, 'a repeated field is no id');
});

t.test('assignee: nobody, me or a staff id; anything else is a wrong choice', async (t) => {
  const me = 77;
  // The rule verbs applied before (tickets/assignment.ts, parseAssignee).
  const before = (value: unknown) => (value === '' || value === 'none' ? null : value === 'me' ? me : positiveInt(value) ?? undefined);
  for (const value of [...IDS, 'none', 'ME', undefined]) {
    const expected = before(value);
    t.same(viaForm(assignee(me), value), expected === undefined ? { error: 'errors.choice' } : { value: expected }, JSON.stringify(value));
  }
  t.same(viaForm(unchanged(assignee(me)), ''), { value: undefined }, 'in a bulk form, empty leaves the assignee as it is');
  t.same(viaForm(unchanged(assignee(me)), 'none'), { value: null });
  t.same(viaForm(unchanged(assignee(me)), 'x'), { error: 'errors.choice' });
});

t.test('checkbox and repeated fields', async (t) => {
  t.same(viaForm(checkbox(), 'on'), { value: true });
  t.same(viaForm(checkbox(), '1'), { value: true });
  t.same(viaForm(checkbox(), ''), { value: false });
  t.same(viaForm(checkbox(), undefined), { value: false });
  for (const [value, ticked] of [['1', true], ['on', false], ['', false], [undefined, false], ['0', false], [['1'], false], ['yes', false]] as const) {
    t.same(viaForm(flag(), value), { value: ticked }, `flag ${JSON.stringify(value)}`);
  }
  t.same(viaForm(flag(['1', 'on']), 'on'), { value: true }, 'a flag may take more words');
  t.same(viaForm(list(), undefined), { value: [] });
  t.same(viaForm(list(), '3'), { value: ['3'] });
  t.same(viaForm(list(), ['3', '4']), { value: ['3', '4'] });
});

t.test('parseForm: typed values, or Invalid with the first key of each field, all fields at once', async (t) => {
  const schema = z.object({ subject: text(), message: longText(), priority: choice(['low', 'high'] as const), groupId: optionalId() });
  t.same(parseForm(schema, { subject: ' Hi ', message: 'a\r\nb', priority: 'low', groupId: '' }), { subject: 'Hi', message: 'a\nb', priority: 'low', groupId: null });
  const error = (() => {
    try {
      parseForm(schema, { subject: `${long(300)}\n`, priority: 'x', groupId: 'x' });
    } catch (e) {
      return e;
    }
    return null;
  })();
  t.ok(error instanceof Invalid);
  t.equal((error as Invalid).message, 'errors.invalid', 'the message Checker.done() gives');
  t.same((error as Invalid).fields, { subject: 'errors.tooLong', message: 'errors.required', priority: 'errors.choice', groupId: 'errors.choice' });
  t.throws(() => parseForm(schema, undefined), Invalid, 'no body is an empty form');
});

t.test('readForm: a field with a mistake holds its blank, so a verb can still check the rest', async (t) => {
  const schema = z.object({ subject: text(), email: email(), priority: choice(['low', 'high'] as const), groupId: optionalId(), statusId: id(), ok: text() });
  const { value, errors } = readForm(schema, { subject: '', email: 'nope', priority: 'x', groupId: 'x', statusId: 'x', ok: ' fine ' });
  t.same(value, { subject: '', email: '', priority: 'low', groupId: null, statusId: 0, ok: 'fine' });
  t.same(Object.keys(errors).sort(), ['email', 'groupId', 'priority', 'statusId', 'subject']);
});

t.test('the schemas stay describable as JSON Schema (the API will publish them)', async (t) => {
  const schema = z.object({
    subject: text(), message: longText(), email: email(), priority: choice(['low', 'high'] as const, { blank: null }), statusId: id(),
    groupId: optionalId(), typeId: maybeId(), all: checkbox(), ids: list(), assigneeId: unchanged(assignee(1)),
  });
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, Record<string, unknown>> };
  t.same(Object.keys(json.properties).sort(), Object.keys(schema.shape).sort());
  t.match(json.properties.subject, { type: 'string', minLength: 1, maxLength: 200 });
  t.match(json.properties.statusId, { type: 'string', pattern: '^\\d{1,16}$' });
});
