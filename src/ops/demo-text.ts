// Words for demo tickets: real sentences with slots, so search finds common words in many messages
// and rare ones in a few. Deterministic: everything comes from the seeded generator below.

/** Appears in a good share of messages (a search over it must not rank everything). */
export const COMMON_TERM = 'password';
/** Appears in about one message in fifty thousand. */
export const RARE_TERM = 'quetzalcoatl';
const RARE_RATE = 1 / 50_000;

export type Random = () => number;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Index into a list where the first entries are chosen far more often (a rough Zipf curve). */
export const skewed = (random: Random, length: number, power = 2): number => Math.floor(length * random() ** power);

export const FIRST = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eve', 'Farah', 'Goran', 'Hana', 'Ivo', 'Jun', 'Kofi', 'Lena', 'Mika', 'Noor',
  'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Xenia', 'Yusuf', 'Zara', 'Amir', 'Bea', 'Carlos', 'Dana'];
export const LAST = ['Novak', 'Schmidt', 'Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Silva', 'Horvat', 'Kowalski', 'Haddad',
  'Jensen', 'Rossi', 'Nguyen', 'Petrov', 'García', 'Müller', 'Dubois', 'Ivanova', 'Kim', 'Larsen', 'Mendes', 'Sato', 'Weber', 'Ali'];
const ORG_WORDS = ['North', 'Blue', 'River', 'Summit', 'Bright', 'Oak', 'Harbor', 'Iron', 'Silver', 'Cedar', 'Pioneer', 'Atlas',
  'Granite', 'Maple', 'Orbit', 'Falcon', 'Meadow', 'Vertex', 'Lumen', 'Coral'];
const ORG_KINDS = ['Logistics', 'Health', 'Foods', 'Systems', 'Clinic', 'Labs', 'Retail', 'Energy', 'Partners', 'Studio', 'Bank', 'Travel'];

/** The n-th demo organisation: a name and the mail domain its people use. */
export function organization(n: number): { name: string; domain: string } {
  const name = `${ORG_WORDS[n % ORG_WORDS.length]} ${ORG_KINDS[Math.floor(n / ORG_WORDS.length) % ORG_KINDS.length]}`;
  const round = Math.floor(n / (ORG_WORDS.length * ORG_KINDS.length));
  const full = round === 0 ? name : `${name} ${round + 1}`;
  return { name: full, domain: `${full.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.test` };
}

const PRODUCTS = ['the mobile app', 'the web portal', 'the invoice module', 'the VPN client', 'the printer on floor 2', 'Outlook',
  'the booking calendar', 'the CSV export', 'the payment page', 'the scanner', 'the shared drive', 'the time sheet', 'the laptop dock'];
const PROBLEMS = ['crashes on start', 'shows an error', 'is very slow', 'does not load', 'logs me out', 'loses my changes',
  'prints blank pages', 'sends duplicate mails', 'shows the wrong totals', 'freezes after the update', 'rejects my password'];
const WHEN = ['since this morning', 'since the update on Monday', 'every few minutes', 'only on Fridays', 'after lunch',
  'since we moved offices', 'when I work from home', 'for the whole team', 'for two days now'];
const SUBJECTS = ['{product} {problem}', 'Cannot log in: {product} {problem}', 'Invoice shows the wrong VAT number',
  'Password reset mail never arrives', 'Request for a new laptop', 'Refund for a double charge', 'Add a colleague to our account',
  'Question about {product}', '{product} {problem} {when}', 'Urgent: {product} {problem}', 'Change our billing address',
  'Calendar invites show the wrong time', 'Access to {product} for a new hire'];
const CUSTOMER_LINES = ['Hello, {product} {problem} {when}.', 'It worked fine last week.', 'Could you have a look as soon as possible?',
  'I attached a screenshot of what I see.', 'This blocks our whole team.', 'I already tried to reset my password twice.',
  'Thanks for the quick help last time!', 'Let me know if you need more details.', 'The error code is {code}.',
  'My colleague {name} has the same problem.', 'Is there any news on this?', 'It happened again {when}.',
  'We need this fixed before the audit.', 'I restarted the computer but nothing changed.', 'That worked, thank you!'];
const AGENT_LINES = ['Thanks for reporting this, {name}.', 'Could you tell us which browser you use?', 'I have reset your password; please try again.',
  'We found the cause: {product} had a stale cache.', 'A fix is scheduled for tonight.', 'Please clear the cache and sign in again.',
  'I forwarded this to our {team} team.', 'Can you confirm the problem is solved on your side?', 'We could reproduce it with error {code}.',
  'I am closing this ticket; reply if it comes back.', 'The new password policy requires twelve characters.', 'We changed the setting for your account.'];
const NOTE_LINES = ['Checked the logs: error {code} at the time reported.', 'Customer is on the legacy plan, see contract.',
  'Escalated to {team}; waiting for their answer.', 'Same issue as last month, probably the proxy.', 'Called the customer, no answer.',
  'Do not reset the password without a call-back.', 'Known bug, linked to the release notes.'];
const UPDATE_LINES = ['Technician visit booked for {when2}.', 'Part ordered; delivery expected {when2}.', 'On site: replaced the {part}.',
  'Service completed and tested with the customer.'];
const TEAMS = ['billing', 'network', 'identity', 'field service', 'development', 'security'];
const PARTS = ['power supply', 'toner unit', 'docking station', 'router', 'keyboard', 'fan'];
const WHEN2 = ['Monday morning', 'Tuesday afternoon', 'next week', 'tomorrow', 'Thursday at 10:00'];

export type Voice = 'customer' | 'agent' | 'note' | 'update';
const LINES: Record<Voice, string[]> = { customer: CUSTOMER_LINES, agent: AGENT_LINES, note: NOTE_LINES, update: UPDATE_LINES };

function fill(random: Random, template: string): string {
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    switch (slot) {
      case 'product': return pick(random, PRODUCTS);
      case 'problem': return pick(random, PROBLEMS);
      case 'when': return pick(random, WHEN);
      case 'when2': return pick(random, WHEN2);
      case 'code': return `E${1000 + Math.floor(random() * 9000)}`;
      case 'name': return pick(random, FIRST);
      case 'team': return pick(random, TEAMS);
      case 'part': return pick(random, PARTS);
      default: return slot;
    }
  });
}

export function subject(random: Random): string {
  const text = fill(random, pick(random, SUBJECTS));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A message body of one to four lines in the given voice; now and then a rare word. */
export function messageBody(random: Random, voice: Voice): string {
  const lines = LINES[voice];
  const count = 1 + Math.floor(random() * (voice === 'note' || voice === 'update' ? 2 : 4));
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(fill(random, pick(random, lines)));
  if (random() < RARE_RATE) parts.push(`Reference: project ${RARE_TERM}.`);
  return count > 2 ? `${parts.slice(0, 2).join(' ')}\n\n${parts.slice(2).join(' ')}` : parts.join(' ');
}
