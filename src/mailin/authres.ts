/**
 * Authentication-Results (RFC 8601): what the receiving MTA found out about a mail's sender. The
 * header is plain text anyone can write, so it counts only from an MTA the admin named (its
 * authserv-id) and only where that MTA writes it: at the top of the header (no npm package parses
 * it on its own; mailauth's parser is internal to its verifier and drops repeated methods).
 */

export interface AuthResult {
  method: string;
  result: string;
  /** `header.from`, `header.d`, `smtp.mailfrom`, `reason`…: keys lowercased, values unquoted. */
  props: Record<string, string>;
}

export interface AuthResults {
  authservId: string;
  results: AuthResult[];
}

export type SenderCheck = 'dmarc' | 'dkim' | 'spf';

/** Headers an MTA writes while it takes the mail in, between its own Received line and the sender's headers. */
const RECEIPT_HEADER = /^(authentication-results|arc-(seal|message-signature|authentication-results)|received-spf|dkim-filter|dmarc-filter|x-spam(d)?-[a-z-]+|x-rspamd-[a-z-]+|x-virus-[a-z-]+)$/;

/**
 * The Authentication-Results headers the MTA that handed us the mail could have written, in order:
 * those above its Received line (rspamd, Exim) and those right below it (milters such as OpenDKIM and
 * OpenDMARC insert theirs there). Anything the sender wrote comes after; the first header with a
 * trusted authserv-id is the verdict (RFC 8601 §5 has the MTA remove claims of its id by others).
 */
export function topAuthResults(lines: readonly { key: string; line: string }[]): string[] {
  const found: string[] = [];
  let i = 0;
  const take = (line: string) => found.push(line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim());
  for (; i < lines.length && lines[i]!.key !== 'received'; i++) if (lines[i]!.key === 'authentication-results') take(lines[i]!.line);
  for (i++; i < lines.length && RECEIPT_HEADER.test(lines[i]!.key); i++) if (lines[i]!.key === 'authentication-results') take(lines[i]!.line);
  return found;
}

/** Comments `( … )` removed (nested, with quoted pairs), quoted strings kept; null when unbalanced. */
function withoutComments(value: string): string | null {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (value[i + 1] ?? '');
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      if (depth === 0) return null;
      depth--;
      if (depth === 0) out += ' ';
    } else if (depth === 0) {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return depth === 0 && !quoted ? out : null;
}

/** Split on `;` outside quoted strings. */
function splitResinfo(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\') { current += c + (value[i + 1] ?? ''); i++; continue; }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) { parts.push(current); current = ''; } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.replace(/\s+/g, ' ').trim());
}

const unquote = (v: string) => (v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

const KEYWORD = '[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?';
const VALUE = '"(?:[^"\\\\]|\\\\.)*"|[^\\s";]+';
const METHOD = new RegExp(`^(${KEYWORD})(?: ?/ ?\\d+)? ?= ?(${KEYWORD})(.*)$`);
const PROP = new RegExp(`\\s*(${KEYWORD})(?: ?\\. ?(${KEYWORD}))? ?= ?(${VALUE})`, 'y');
const AUTHSERV = new RegExp(`^(${VALUE})(?: \\d+)?$`);

/** One result: `dkim=pass header.d=example.com header.s=x`; null when it does not follow the grammar. */
function parseResinfo(text: string): AuthResult | null {
  const head = METHOD.exec(text);
  if (!head) return null;
  const props: Record<string, string> = {};
  const rest = head[3]!;
  PROP.lastIndex = 0;
  while (PROP.lastIndex < rest.length) {
    const start = PROP.lastIndex;
    const prop = PROP.exec(rest);
    if (!prop || prop.index !== start) return rest.slice(start).trim() === '' ? { method: head[1]!.toLowerCase(), result: head[2]!.toLowerCase(), props } : null;
    const key = prop[2] ? `${prop[1]!.toLowerCase()}.${prop[2].toLowerCase()}` : prop[1]!.toLowerCase();
    if (!prop[2] && key !== 'reason') return null;
    props[key] ??= unquote(prop[3]!);
  }
  return { method: head[1]!.toLowerCase(), result: head[2]!.toLowerCase(), props };
}

/**
 * One header's value, e.g. `mx.example.org 1; dmarc=pass (p=reject) header.from=example.org`.
 * Null when it is not well formed; a result that is not well formed is left out.
 */
export function parseAuthResults(value: string): AuthResults | null {
  const clean = withoutComments(value);
  if (clean === null) return null;
  const [first, ...rest] = splitResinfo(clean);
  const id = AUTHSERV.exec(first ?? '');
  if (!id) return null;
  const results = rest.length === 1 && rest[0]!.toLowerCase() === 'none' ? []
    : rest.map(parseResinfo).filter((r): r is AuthResult => r !== null);
  return { authservId: unquote(id[1]!).toLowerCase(), results };
}

/** The domain of an address (`user@example.com`, `@example.com`) or a bare domain. */
function domainOf(value: string | undefined): string {
  return (value ?? '').slice((value ?? '').lastIndexOf('@') + 1).replace(/\.$/, '').toLowerCase();
}

/**
 * DMARC's relaxed alignment without the public-suffix list: the same domain, or the From domain
 * below the authenticated one (`d=example.com` for `mail.example.com`), never a one-label domain.
 */
function aligned(authenticated: string, fromDomain: string): boolean {
  if (!authenticated.includes('.') || !fromDomain) return false;
  return fromDomain === authenticated || fromDomain.endsWith(`.${authenticated}`);
}

/**
 * How the sender of a mail from `fromAddress` was verified, by the first header of `headers` whose
 * authserv-id is trusted: DMARC pass for the From domain, else a DKIM signature that passed with a
 * d= aligned to it, else SPF pass for the From domain itself. Null when no trusted header says so.
 */
export function verifiedSender(headers: readonly string[], fromAddress: string, trustedIds: readonly string[]): SenderCheck | null {
  if (trustedIds.length === 0) return null;
  const trusted = new Set(trustedIds.map((id) => id.toLowerCase()));
  const verdict = headers.map(parseAuthResults).find((h) => h !== null && trusted.has(h.authservId));
  if (!verdict) return null;
  const from = domainOf(fromAddress);
  const same = (domain: string) => from !== '' && domain === from;
  const passed = (method: string, fits: (r: AuthResult) => boolean) => verdict.results.some((r) => r.method === method && r.result === 'pass' && fits(r));
  if (passed('dmarc', (r) => same(domainOf(r.props['header.from'])))) return 'dmarc';
  if (passed('dkim', (r) => aligned(domainOf(r.props['header.d'] ?? r.props['header.i']), from))) return 'dkim';
  if (passed('spf', (r) => same(domainOf(r.props['smtp.mailfrom'])))) return 'spf';
  return null;
}
