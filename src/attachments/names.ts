import type { Translate } from '../i18n.js';

const MAX_NAME = 180;

/**
 * The name a file is shown and downloaded under. It is only ever a label (files are stored under
 * random keys), but it still travels in headers and pages: path parts, control characters (NUL,
 * CR, LF, ...) and bidirectional overrides (which make "gpj.exe" read as "exe.jpg") are removed.
 */
export function safeFilename(raw: string | undefined | null, fallback = 'file'): string {
  let name = String(raw ?? '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
  name = name.replace(/\s+/g, ' ').trim().replace(/^\.+/, '');
  if ([...name].length > MAX_NAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = [...name.slice(0, name.length - ext.length)].slice(0, MAX_NAME - ext.length).join('') + ext;
  }
  return name === '' ? fallback : name;
}

/**
 * `attachment; filename="plain ascii"; filename*=UTF-8''percent-encoded` (RFC 6266): old clients
 * read the ASCII fallback, everyone else the exact name. Neither can break out of the header.
 */
export function contentDisposition(filename: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const name = safeFilename(filename);
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** "512 bytes", "14 KB", "2.5 MB" (binary units, as the limits are counted). */
export function formatBytes(t: Translate, bytes: number): string {
  if (bytes < 1024) return t('attachments.size.bytes', { n: bytes });
  if (bytes < 1024 * 1024) return t('attachments.size.kb', { n: round(bytes / 1024) });
  return t('attachments.size.mb', { n: round(bytes / (1024 * 1024)) });
}

function round(n: number): string {
  return n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

/** Where a stored attachment is downloaded from: the name in the URL is for people, the id decides. */
export function attachmentHref(id: number, filename: string, inline = false): string {
  return `/attachments/${id}/${encodeURIComponent(safeFilename(filename))}${inline ? '?inline=1' : ''}`;
}
