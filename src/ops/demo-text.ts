// Words for demo tickets: real sentences with slots, so search finds common words in many messages
// and rare ones in a few. Deterministic: everything comes from the seeded generator below.

/** Appears in a good share of messages (a search over it must not rank everything). */
export const COMMON_TERM = 'password';
/** Appears in about one message in fifty thousand. */
export const RARE_TERM = 'quetzalcoatl';
const RARE_RATE = 1 / 50_000;

export type Random = () => number;

/** A Random that tells where it is in its sequence: `seededRandom(state())` goes on from there (on another thread). */
export interface SeededRandom extends Random { state: () => number }

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, { state: () => state });
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
// A customer's first message: a greeting, the problem, a detail or two, and what they ask for.
const GREETINGS = ['Hello,', 'Hi,', 'Good morning,', 'Hello support team,', 'Hi there,'];
const OPENERS = ['{product} {problem} {when}.', 'Since yesterday, {product} {problem}.', 'We have a problem: {product} {problem}.',
  'I need help with {product}: it {problem}.'];
const DETAILS = ['It worked fine last week.', 'I attached a screenshot of what I see.', 'This blocks our whole team.',
  'I already tried to reset my password twice.', 'The error code is {code}.', 'My colleague {other} has the same problem.',
  'I restarted the computer but nothing changed.', 'We need this fixed before the audit.', 'It only happens on my laptop, not on the desktop.',
  'Nothing was changed on our side.'];
const ASKS = ['Could you have a look as soon as possible?', 'Let me know if you need more details.', 'What can I do in the meantime?',
  'Thanks in advance for your help.'];
// Later messages from the customer: answers, news, thanks.
const FOLLOW_UPS = ['Is there any news on this?', 'It happened again {when}.', 'We use Firefox on Windows 11.',
  'I tried that, but it still {problem}.', 'The error code this time was {code}.', 'That worked, thank you!',
  'Yes, it is solved on our side now.', 'Sorry for the late answer, I was out of the office.', 'It works again after the reset of my password.',
  'Could you also check the account of {other}?', 'Today it was error {code} again.', 'It also happens to {other} now.'];
const SIGN_OFFS = ['Thanks,', 'Best regards,', 'Kind regards,', 'Cheers,'];
// Staff replies: they greet the requester by name and sign with their own.
const AGENT_FIRST = ['Thanks for reporting this.', 'Sorry for the trouble, and thanks for the details.', 'Thanks for your message.'];
const AGENT_LINES = ['Could you tell us which browser you use?', 'I have reset your password; please try again.',
  'We found the cause: {product} had a stale cache.', 'A fix is scheduled for tonight.', 'Please clear the cache and sign in again.',
  'I forwarded this to our {team} team.', 'Can you confirm the problem is solved on your side?', 'We could reproduce it with error {code}.',
  'The new password policy requires twelve characters.', 'We changed the setting for your account.',
  'Could you send us a screenshot of the error?', 'Our {team} team is looking into it now.',
  'I have asked our {team} team about error {code}.', 'I will write again {when2} at the latest.',
  'We checked {product} again; error {code} no longer shows in the logs.', 'The fix for error {code} is live since {when2}.'];
const AGENT_LAST = ['I am closing this ticket; reply if it comes back.', 'Glad it works again. I will close this ticket.'];
const NOTE_LINES = ['Checked the logs: error {code} at the time reported.', 'Customer is on the legacy plan, see contract.',
  'Escalated to {team}; waiting for their answer.', 'Same issue as last month, probably the proxy.', 'Called the customer, no answer.',
  'Do not reset the password without a call-back.', 'Known bug, linked to the release notes.', 'Asked {team} whether the fix covers this customer.',
  'Ticket {code} in the {team} backlog is the same problem.', 'Reminder set for {when2}.'];
const UPDATE_LINES = ['Technician visit booked for {when2}.', 'Part ordered; delivery expected {when2}.', 'On site: replaced the {part}.',
  'Service completed and tested with the customer.'];
const TEAMS = ['billing', 'network', 'identity', 'field service', 'development', 'security'];
const PARTS = ['power supply', 'toner unit', 'docking station', 'router', 'keyboard', 'fan'];
const WHEN2 = ['Monday morning', 'Tuesday afternoon', 'next week', 'tomorrow', 'Thursday at 10:00'];

export type Voice = 'customer' | 'agent' | 'note' | 'update';

/** Who writes in one ticket, and the sentences it has used already (a ticket never repeats one). */
export interface Thread {
  /** The requester's full name. */
  requester: string;
  used: Set<string>;
}

export const newThread = (requester: string): Thread => ({ requester, used: new Set() });

const firstName = (name: string) => name.split(' ')[0]!;

function fill(random: Random, template: string, thread: Thread): string {
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
    switch (slot) {
      case 'product': return pick(random, PRODUCTS);
      case 'problem': return pick(random, PROBLEMS);
      case 'when': return pick(random, WHEN);
      case 'when2': return pick(random, WHEN2);
      case 'code': return `E${1000 + Math.floor(random() * 9000)}`;
      case 'other': return otherName(random, thread.requester);
      case 'team': return pick(random, TEAMS);
      case 'part': return pick(random, PARTS);
      default: return slot;
    }
  });
}

/** Somebody other than the requester. */
function otherName(random: Random, requester: string): string {
  const own = firstName(requester);
  const name = pick(random, FIRST);
  return name === own ? FIRST[(FIRST.indexOf(name) + 1) % FIRST.length]! : name;
}

/** Up to `count` sentences from `lines`, filled in, that this ticket has not used yet. */
function fresh(random: Random, lines: readonly string[], count: number, thread: Thread): string[] {
  const out: string[] = [];
  for (let tries = 0; out.length < count && tries < count * 8; tries++) {
    const sentence = fill(random, pick(random, lines), thread);
    if (thread.used.has(sentence)) continue;
    thread.used.add(sentence);
    out.push(sentence);
  }
  return out;
}

export function subject(random: Random): string {
  const text = fill(random, pick(random, SUBJECTS), newThread(''));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface MessageContext {
  voice: Voice;
  /** The author's full name (staff sign with it; customers with their first name). */
  author: string;
  /** The ticket's first message. */
  opening: boolean;
  /** The last message of a ticket that is done. */
  closing: boolean;
}

/**
 * A message body in the given voice, in paragraphs as people write them: customers greet, explain and
 * sign with their first name; staff greet the requester by first name and sign with their own name;
 * notes and service updates are a line or two. Now and then a rare word.
 */
export function messageBody(random: Random, thread: Thread, message: MessageContext): string {
  const paragraphs: string[] = [];
  const { voice } = message;
  if (voice === 'customer') {
    if (message.opening) {
      paragraphs.push(pick(random, GREETINGS));
      const problem = fresh(random, OPENERS, 1, thread);
      paragraphs.push([...problem, ...fresh(random, DETAILS, Math.floor(random() * 3), thread)].join(' '));
      paragraphs.push(fresh(random, ASKS, 1, thread).join(' '));
    } else {
      paragraphs.push(fresh(random, FOLLOW_UPS, 1 + Math.floor(random() * 2), thread).join(' '));
    }
    paragraphs.push(`${pick(random, SIGN_OFFS)}\n${firstName(message.author)}`);
  } else if (voice === 'agent') {
    paragraphs.push(`Hi ${firstName(thread.requester)},`);
    const lines = fresh(random, AGENT_LINES, 1 + Math.floor(random() * 2), thread);
    if (!thread.used.has('agent:first')) {
      thread.used.add('agent:first');
      lines.unshift(pick(random, AGENT_FIRST));
    }
    if (message.closing) lines.push(...fresh(random, AGENT_LAST, 1, thread));
    paragraphs.push(lines.join(' '));
    paragraphs.push(`Best regards,\n${message.author}`);
  } else {
    paragraphs.push(fresh(random, voice === 'note' ? NOTE_LINES : UPDATE_LINES, 1 + Math.floor(random() * 2), thread).join(' '));
  }
  if (random() < RARE_RATE) paragraphs.push(`Reference: project ${RARE_TERM}.`);
  return paragraphs.filter((p) => p !== '').join('\n\n');
}
