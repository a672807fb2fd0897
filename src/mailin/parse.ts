import { createHash } from 'node:crypto';
import type { AddressObject, Attachment } from 'mailparser';
import { topAuthResults } from './authres.js';

/** One inbound mail, decoded (charsets, encodings) and reduced to what the pipeline reads. */
export interface InboundMail {
  /** The Message-ID, or one made from the bytes when the sender gave none (a redelivery is still the same). */
  messageId: string;
  from: Person | null;
  to: Person[];
  cc: Person[];
  /** Addresses the mail was delivered to (the SMTP envelope when known, else To, Cc and delivery headers). */
  recipients: string[];
  subject: string;
  inReplyTo: string[];
  references: string[];
  text?: string;
  html?: string | false;
  attachments: Attachment[];
  headers: Map<string, string>;
  /** The envelope sender: null when unknown, '' for the null sender `<>` of bounces and auto-replies. */
  returnPath: string | null;
  contentType: string;
  /** The Authentication-Results headers at the top, where the MTA that handed the mail over writes them. */
  authResults: string[];
}

export interface Person {
  address: string;
  name: string;
}

export class UnparseableMail extends Error {}

export interface DeliveryMeta {
  /** MAIL FROM of the SMTP envelope ('' for `<>`), when the mail came over SMTP. */
  envelopeFrom?: string | null;
  /** RCPT TO of the SMTP envelope. */
  envelopeTo?: string[];
}

// Headers that look like ours are never trusted on the way in: anyone can write them.
const CONTROL_HEADER = /^x-deskbell-/i;
const MAIL_HEADERS = ['from', 'return-path', 'received', 'message-id', 'date', 'mime-version', 'content-type'];

export async function parseMail(raw: Buffer, meta: DeliveryMeta = {}): Promise<InboundMail> {
  if (raw.length === 0) throw new UnparseableMail('empty message');
  let parsed;
  try {
    // Loaded with the first inbound mail: mailparser is ~0.4 s of module loading at startup otherwise.
    const { simpleParser } = await import('mailparser');
    parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true, skipHtmlToText: true });
  } catch (error) {
    throw new UnparseableMail(error instanceof Error ? error.message : String(error));
  }
  const from = addresses(parsed.from).map((a) => ({ ...a, address: a.address.toLowerCase() }))[0] ?? null;
  const headers = new Map<string, string>();
  for (const [key, value] of parsed.headers) {
    if (!CONTROL_HEADER.test(key)) headers.set(key.toLowerCase(), headerText(value));
  }
  // No From (or `From: <>`, as bounces have): still a mail when it has a mail's headers; the
  // pipeline records it on the ticket it reports on, or drops it, but never answers it.
  if (!from && !MAIL_HEADERS.some((h) => headers.has(h))) throw new UnparseableMail('no From address');
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  const delivered = ['delivered-to', 'x-original-to', 'envelope-to'].flatMap((h) => (headers.get(h) ?? '').split(/[,\s]+/)).filter((a) => a.includes('@'));
  const returnPath = meta.envelopeFrom !== undefined ? meta.envelopeFrom : headers.has('return-path') ? (headers.get('return-path') ?? '').replace(/[<>"\s]/g, '') : null;
  return {
    messageId: messageIdOf(parsed.messageId, raw),
    from,
    to,
    cc,
    recipients: unique(meta.envelopeTo?.length ? meta.envelopeTo : [...to, ...cc].map((p) => p.address).concat(delivered)),
    subject: (parsed.subject ?? '').replace(/[\r\n]+/g, ' ').trim(),
    inReplyTo: ids(parsed.inReplyTo),
    references: ids(parsed.references),
    text: parsed.text,
    html: parsed.html,
    attachments: parsed.attachments,
    headers,
    returnPath,
    contentType: headers.get('content-type') ?? 'text/plain',
    authResults: topAuthResults(parsed.headerLines),
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): Person[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const flat = list.flatMap((o) => o.value).flatMap((a) => (a.group ? a.group : [a]));
  return flat.filter((a) => a.address && /^[^\s@]+@[^\s@]+$/.test(a.address))
    .map((a) => ({ address: a.address!, name: (a.name ?? '').replace(/[\r\n]+/g, ' ').trim() }));
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as { value?: unknown; text?: unknown; params?: Record<string, string> };
    if (typeof v.text === 'string') return v.text;
    if (typeof v.value === 'string') return [v.value, ...Object.entries(v.params ?? {}).map(([k, p]) => `${k}=${p}`)].join('; ');
  }
  return Array.isArray(value) ? value.map(headerText).join(', ') : String(value ?? '');
}

function ids(value: string | string[] | undefined): string[] {
  const all = (Array.isArray(value) ? value : value ? [value] : []).join(' ');
  return all.match(/<[^<>\s]+>/g) ?? [];
}

function messageIdOf(given: string | undefined, raw: Buffer): string {
  const id = given?.trim();
  if (id && /^<[^<>\s]{1,500}>$/.test(id)) return id;
  return `<${createHash('sha256').update(raw).digest('hex')}@no-message-id.invalid>`;
}

// Not lowercased: a reply address's token is case-sensitive.
function unique(list: string[]): string[] {
  const seen = new Map<string, string>();
  for (const a of list.map((x) => x.trim()).filter(Boolean)) if (!seen.has(a.toLowerCase())) seen.set(a.toLowerCase(), a);
  return [...seen.values()];
}
