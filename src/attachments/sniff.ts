import { untilConfigChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { getNumberSetting, getSetting } from '../settings/settings.js';

/** The kinds of file an operator may allow. HTML, SVG and XML are recognised only to be refused. */
export type FileKind = 'jpg' | 'png' | 'gif' | 'webp' | 'pdf' | 'zip' | 'txt' | 'csv' | 'log' | 'eml' | 'p7s';

export interface KindInfo {
  /** What the download is served as: decided here, never taken from the client. */
  mime: string;
  label: string;
  /** Safe to show inline in the browser (raster images only; never SVG). */
  image: boolean;
}

export const KINDS: Record<FileKind, KindInfo> = {
  jpg: { mime: 'image/jpeg', label: 'JPG', image: true },
  png: { mime: 'image/png', label: 'PNG', image: true },
  gif: { mime: 'image/gif', label: 'GIF', image: true },
  webp: { mime: 'image/webp', label: 'WEBP', image: true },
  pdf: { mime: 'application/pdf', label: 'PDF', image: false },
  zip: { mime: 'application/zip', label: 'ZIP', image: false },
  txt: { mime: 'text/plain; charset=utf-8', label: 'TXT', image: false },
  // Text by its bytes, told apart by its name (textKind): what mail brings most (issue 25.4).
  csv: { mime: 'text/csv; charset=utf-8', label: 'CSV', image: false },
  log: { mime: 'text/plain; charset=utf-8', label: 'LOG', image: false },
  // A forwarded mail (message/rfc822): downloaded, never shown inline.
  eml: { mime: 'message/rfc822', label: 'EML', image: false },
  // An S/MIME signature: kept with the mail, not listed as a file (isHiddenFile).
  p7s: { mime: 'application/pkcs7-signature', label: 'P7S', image: false },
};

/** Kinds that are plain text by their bytes: the file's name says which (a .csv stays a CSV). */
const TEXT_BY_NAME: readonly FileKind[] = ['csv', 'log', 'eml'];

/** A text file is the text kind its name claims, when that is one (TEXT_BY_NAME); otherwise what was sniffed. */
export function textKind(sniffed: Sniffed, filename: string): Sniffed {
  if (sniffed !== 'txt') return sniffed;
  const claimed = claimedKind(filename);
  return claimed && TEXT_BY_NAME.includes(claimed) ? claimed : 'txt';
}

/** Files kept but not listed under a message (an S/MIME signature belongs to the mail, not to its reader). */
export function isHiddenFile(contentType: string): boolean {
  return contentType === KINDS.p7s.mime;
}

const ALIASES: Record<string, FileKind> = { jpeg: 'jpg', text: 'txt' };

/** How many leading bytes the decision needs (the text check reads this many). */
export const SNIFF_BYTES = 1024;

export type Sniffed = FileKind | 'html' | 'svg' | 'xml' | 'unknown';

function startsWith(head: Buffer, bytes: number[], at = 0): boolean {
  return head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
}

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * What a file is, from its first bytes (its magic number), whatever its name or the browser says.
 * `head` is the first SNIFF_BYTES of the file, or all of a shorter one.
 */
export function sniff(head: Buffer): Sniffed {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(head, ascii('%PDF-'))) return 'pdf';
  // Local file header, or the end record of an empty archive. Archives are never opened.
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  // DER: a SEQUENCE whose first element is the object id of PKCS #7 signed data (1.2.840.113549.1.7.2).
  if (head[0] === 0x30 && head.subarray(0, 32).includes(Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]))) return 'p7s';
  return sniffText(head);
}

/** Markup is told apart from plain text so that it can never pass as text, even when txt is allowed. */
function sniffText(head: Buffer): Sniffed {
  if (head.length === 0 || head.includes(0)) return 'unknown';
  let text: string;
  try {
    // A multi-byte character cut at the end of the window is not an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, utf8Boundary(head)));
  } catch {
    return 'unknown';
  }
  if (/[\x00-\x08\x0e-\x1f\x7f]/.test(text)) return 'unknown';
  const start = text.replace(/^\uFEFF/, '').trimStart().slice(0, 512).toLowerCase();
  if (/^<(!doctype\s+html|html|head|body|script|iframe|meta|!--)/.test(start)) return 'html';
  if (/<svg[\s/>]/.test(start)) return 'svg';
  if (/<(script|html|body|iframe)[\s>]/.test(start)) return 'html';
  if (start.startsWith('<?xml') || start.startsWith('<!doctype')) return 'xml';
  return 'txt';
}

/** The length of `head` without a trailing, incomplete UTF-8 sequence. */
function utf8Boundary(head: Buffer): number {
  let i = head.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (head[i]! & 0xc0) === 0x80) { i--; continuation++; }
  if (i < 0) return head.length;
  const lead = head[i]!;
  const needs = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return needs > continuation ? i : head.length;
}

/** The kind a file's name claims by its extension (`report.PDF` → pdf), or null. */
export function claimedKind(filename: string): FileKind | null {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  const kind = ALIASES[extension] ?? extension;
  return isFileKind(kind) ? kind : null;
}

/** How a sniffed kind is named to a person: PDF, HTML, or null for a format not recognised. */
export function sniffedLabel(kind: Sniffed): string | null {
  if (isFileKind(kind)) return KINDS[kind].label;
  return kind === 'unknown' ? null : kind.toUpperCase();
}

export function isFileKind(value: string): value is FileKind {
  return Object.hasOwn(KINDS, value);
}

/** What may be uploaded, and how much per message. */
export interface AttachmentPolicy {
  allowed: FileKind[];
  maxTotalBytes: number;
}

// Seed 002: "The allowed formats are: JPG, PNG, PDF or ZIP files" and "The limit is 30 MB for all documents".
export const DEFAULT_POLICY: AttachmentPolicy = { allowed: ['jpg', 'png', 'pdf', 'zip'], maxTotalBytes: 30 * 1024 * 1024 };

export const SETTING_ALLOWED_TYPES = 'attachments.allowed_types';
export const SETTING_MAX_TOTAL_BYTES = 'attachments.max_total_bytes';

/** The policy from the settings table (`attachments.allowed_types`, `attachments.max_total_bytes`), with the seed's defaults. */
const policy = untilConfigChanged((db: Db, _: '') => readAttachmentPolicy(db), 1);
export const loadAttachmentPolicy = (db: Db): Promise<AttachmentPolicy> => policy(db, '');

async function readAttachmentPolicy(db: Db): Promise<AttachmentPolicy> {
  const [types, max] = await Promise.all([getSetting(db, SETTING_ALLOWED_TYPES), getNumberSetting(db, SETTING_MAX_TOTAL_BYTES)]);
  return {
    allowed: types === undefined ? DEFAULT_POLICY.allowed : parseAllowedTypes(types),
    maxTotalBytes: max !== null && max > 0 ? max : DEFAULT_POLICY.maxTotalBytes,
  };
}

export const SETTING_MAIL_TYPES = 'attachments.mail_types';
/** What mail may bring unless the admin says otherwise (the settings registry shows the same). */
export const DEFAULT_MAIL_TYPES = 'jpg, png, gif, webp, pdf, zip, txt, csv, log, eml, p7s';

/** The policy for files that come by mail: the mail allow-list (a setting), the forms' total per message. */
const mailPolicy = untilConfigChanged(async (db: Db, _: ''): Promise<AttachmentPolicy> => {
  const [forms, types] = await Promise.all([loadAttachmentPolicy(db), getSetting(db, SETTING_MAIL_TYPES)]);
  return { allowed: parseAllowedTypes(types ?? DEFAULT_MAIL_TYPES), maxTotalBytes: forms.maxTotalBytes };
}, 1);
export const loadMailAttachmentPolicy = (db: Db): Promise<AttachmentPolicy> => mailPolicy(db, '');

/** "jpg, PNG,jpeg" → ['jpg', 'png']; unknown names (svg, html, exe) are ignored, never allowed. */
export function parseAllowedTypes(value: string): FileKind[] {
  const kinds = value.split(/[\s,;]+/).map((s) => s.trim().toLowerCase().replace(/^\./, '')).filter(Boolean)
    .map((s) => ALIASES[s] ?? s).filter(isFileKind);
  return [...new Set(kinds)];
}

/** "JPG, PNG, PDF and ZIP", for the rejection message. */
export function allowedLabels(policy: AttachmentPolicy, locale = 'en'): string {
  const labels = policy.allowed.map((k) => KINDS[k].label);
  return listFormat(locale === 'en' ? 'en-GB' : locale).format(labels);
}

/** Making an Intl.ListFormat costs more than the rest of a page's labels: one per language. */
const listFormats = new Map<string, Intl.ListFormat>();
function listFormat(locale: string): Intl.ListFormat {
  let format = listFormats.get(locale);
  if (!format) listFormats.set(locale, format = new Intl.ListFormat(locale, { type: 'conjunction' }));
  return format;
}

/** The kind of a stored content type, for deciding whether it may be shown inline. */
export function isInlineImage(contentType: string): boolean {
  return Object.values(KINDS).some((k) => k.image && k.mime === contentType);
}
