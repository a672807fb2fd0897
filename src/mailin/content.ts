import type SanitizeHtml from 'sanitize-html';

let sanitizeHtml: typeof SanitizeHtml | undefined;

/**
 * sanitize-html (~0.3 s of module loading) is loaded with the first inbound mail, not at startup:
 * await this before sanitizeMailHtml, htmlToText or messageBody (receiveMessage does).
 */
export async function loadSanitizer(): Promise<void> {
  sanitizeHtml ??= (await import('sanitize-html')).default;
}

function sanitizer(): typeof SanitizeHtml {
  if (!sanitizeHtml) throw new Error('sanitize-html is not loaded: await loadSanitizer() first');
  return sanitizeHtml;
}

/**
 * What of a mail is the new message. Mail clients send the whole thread back; only what the person
 * wrote above it is stored as the message (the full original stays attached as .eml).
 */

// "On Tue, 3 Mar 2026 at 10:02, Help Desk <support@desk.test> wrote:" (Gmail, Apple Mail, Thunderbird)
// and the same in a few other languages; Gmail wraps long ones, so up to three lines are joined.
const ATTRIBUTION = /^(On\s.+\swrote|Am\s.+\sschrieb\s.+|Le\s.+\sa\s[ée]crit\s?|El\s.+\sescribi[óo]|Op\s.+\sschreef\s.+)\s?:\s*$/is;
const SEPARATORS = [
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}\s*$/i,
  /^_{20,}\s*$/, // Outlook's rule above the "From: / Sent:" block
  /^#{1,2}-.*reply above this line.*-#{1,2}$/i,
];
// Outlook: "From: Name <a@b>" followed within a few lines by "Sent:" (or "Date:").
const OUTLOOK_FROM = /^\*?(From|Von|De)\s?:\*?\s/i;
const OUTLOOK_SENT = /^\*?(Sent|Gesendet|Envoyé|Date|Datum)\s?:\*?\s/i;
const SIGNATURE = /^-- ?$/;
const MOBILE_FOOTER = /^(Sent from my \w+|Sent from (Mail|Outlook) for \w+|Get Outlook for \w+|Von meinem \w+ gesendet)\.?$/i;

/** The new text of a reply: quoted history, attribution lines, signatures and mobile footers removed. */
export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (SIGNATURE.test(lines[i]!.trimStart()) || SEPARATORS.some((re) => re.test(line))) { end = i; break; }
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => OUTLOOK_SENT.test(l.trim()))) { end = i; break; }
    if (/^(On|Am|Le|El|Op)\s/.test(line)) {
      const joined = [line, lines[i + 1]?.trim() ?? '', lines[i + 2]?.trim() ?? ''];
      if ([1, 2, 3].some((n) => ATTRIBUTION.test(joined.slice(0, n).join(' ')))) { end = i; break; }
    }
  }
  const kept = lines.slice(0, end).filter((l) => !/^\s*>/.test(l));
  while (kept.length > 0 && (kept[kept.length - 1]!.trim() === '' || MOBILE_FOOTER.test(kept[kept.length - 1]!.trim()))) kept.pop();
  const result = kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  // A mail that is nothing but a quote (a forward without a word) keeps its text.
  return result === '' ? text.trim() : result;
}

/** Markers where quoted history starts in the HTML of Gmail, Outlook, Apple Mail and Thunderbird. */
const HTML_QUOTE_MARKERS = [
  /<div[^>]*class="[^"]*gmail_quote/i,
  /<div[^>]*id="?(divRplyFwdMsg|appendonsend|mail-editor-reference-message-container)/i,
  /<blockquote[^>]*type="?cite/i,
  /<div[^>]*class="?moz-cite-prefix/i,
  /<div[^>]*class="?(gmail_signature|moz-signature)/i,
  /<hr[^>]*id="?stopSpelling/i,
  /-{2,}\s*Original Message\s*-{2,}/i,
];

/** The HTML before its quoted history (the parser closes what the cut leaves open). */
export function cutQuotedHtml(html: string): string {
  const cut = Math.min(...HTML_QUOTE_MARKERS.map((re) => re.exec(html)?.index ?? html.length));
  return html.slice(0, cut);
}

const SAFE_LINK = { rel: 'noopener noreferrer nofollow ugc', target: '_blank' };

/**
 * The allow-list for inbound HTML: text structure and links only. No scripts, event handlers,
 * styles, frames, forms, meta or htmx attributes; remote images become links (no read tracking),
 * embedded (cid:) images are dropped here and kept as attachments.
 */
export function sanitizeMailHtml(html: string): string {
  return sanitizer()(html, {
    allowedTags: ['p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li',
      'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'a', 'hr'],
    allowedAttributes: { a: ['href', 'rel', 'target'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'title', 'head', 'object', 'embed', 'svg', 'math'],
    transformTags: {
      a: (_tag, attribs) => ({ tagName: 'a', attribs: attribs.href ? { href: attribs.href, ...SAFE_LINK } : {} }),
      img: (_tag, attribs) => (/^https?:\/\//i.test(attribs.src ?? '')
        ? { tagName: 'a', attribs: { href: attribs.src!, ...SAFE_LINK }, text: attribs.alt || attribs.src! }
        : { tagName: 'img', attribs: {} }),
    },
  }).trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Plain text of an HTML body, for mails without a text part: blocks become lines, quotes get `>`. */
export function htmlToText(html: string): string {
  const marked = html
    .replace(/<blockquote[^>]*>/gi, '\n[[quote]]').replace(/<\/blockquote>/gi, '[[/quote]]\n')
    .replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li|tr|h[1-6]|table|pre)>/gi, '\n').replace(/<li[^>]*>/gi, '- ');
  const text = sanitizer()(marked, { allowedTags: [], allowedAttributes: {}, nonTextTags: ['script', 'style', 'title', 'head', 'noscript', 'textarea'] })
    .replace(/&(#x?[0-9a-f]+|\w+);/gi, (m, name: string) => {
      if (name[0] === '#') return String.fromCodePoint(name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? m;
    });
  // Quoted blocks become `>` lines, which stripQuoted then removes like any other quote.
  let depth = 0;
  return text.split('\n').map((line) => {
    let out = line;
    const opens = (out.match(/\[\[quote\]\]/g) ?? []).length;
    out = out.replace(/\[\[\/?quote\]\]/g, '');
    depth += opens;
    const quoted = depth > 0 ? `> ${out}` : out;
    depth -= (line.match(/\[\[\/quote\]\]/g) ?? []).length;
    return quoted.replace(/[ \t]+$/, '');
  }).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Plain text as safe HTML: paragraphs, line breaks, and web addresses as links. */
export function textToHtml(text: string): string {
  return text.split(/\n{2,}/).map((para) => {
    const html = escapeHtml(para).replace(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g,
      (url) => `<a href="${url}" rel="${SAFE_LINK.rel}" target="_blank">${url}</a>`);
    return `<p>${html.replace(/\n/g, '<br>\n')}</p>`;
  }).join('\n');
}

export interface MessageBody {
  text: string;
  html: string;
}

/**
 * The stored body of a mail: the text part preferred (its HTML made from it), the HTML part when it
 * is the only one (cut before its quote, sanitised). Never empty: `fallback` names a mail of files only.
 */
export function messageBody(parts: { text?: string; html?: string | false }, fallback: string): MessageBody {
  const hasText = typeof parts.text === 'string' && parts.text.trim() !== '';
  if (!hasText && parts.html) {
    const cut = cutQuotedHtml(parts.html);
    const text = stripQuoted(htmlToText(cut)) || stripQuoted(htmlToText(parts.html));
    const html = sanitizeMailHtml(cut);
    return text ? { text, html: htmlToText(html).trim() ? html : textToHtml(text) } : { text: fallback, html: textToHtml(fallback) };
  }
  const text = hasText ? stripQuoted(parts.text!) : '';
  return text ? { text, html: textToHtml(text) } : { text: fallback, html: textToHtml(fallback) };
}
