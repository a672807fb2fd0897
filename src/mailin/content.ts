import type SanitizeHtml from 'sanitize-html';
import { extractReply, type ReplyOptions } from './reply.js';

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

/** The new text of a reply (reply.ts): quoted history, attributions, header blocks and end signatures removed. */
export function stripQuoted(text: string, options: ReplyOptions = {}): string {
  return extractReply(text, options);
}

/**
 * Markers after which an HTML mail holds only history (Outlook's divRplyFwdMsg and its kin, Yahoo's
 * yahoo_quoted, Yandex's and mail.ru's quote wrappers). Gmail's, Apple Mail's and Thunderbird's
 * quotes are blockquotes: htmlToText turns them into `>` lines, so a reply below or between them is
 * kept like one in plain text.
 */
const HTML_HISTORY_MARKERS = [
  /<div[^>]{0,200}id="?(divRplyFwdMsg|appendonsend|mail-editor-reference-message-container|x_divRplyFwdMsg|ydp[0-9a-f]{1,12}yahoo_quoted)/i,
  /<hr[^>]{0,200}id="?stopSpelling/i,
  /<div[^>]{0,200}class="?[^">]{0,100}(yahoo_quoted)/i,
  /-{2,}\s{0,5}Original Message\s{0,5}-{2,}/i,
];
/** Markers where quoted history starts in any client's HTML (for cutting the stored HTML of a top-posted reply). */
const HTML_QUOTE_MARKERS = [
  ...HTML_HISTORY_MARKERS,
  /<div[^>]{0,200}class="?[^">]{0,100}(gmail_quote|gmail_attr)/i,
  /<blockquote/i,
  /<div[^>]{0,200}class="?[^">]{0,100}(moz-cite-prefix|gmail_signature|moz-signature)/i,
];

const firstMatch = (html: string, markers: RegExp[]) => Math.min(...markers.map((re) => re.exec(html)?.index ?? html.length));

/** The HTML before its quoted history (the parser closes what the cut leaves open). */
export function cutQuotedHtml(html: string): string {
  return html.slice(0, firstMatch(html, HTML_QUOTE_MARKERS));
}

/** The HTML without what follows a marker of pure history. */
function cutHistoryHtml(html: string): string {
  return html.slice(0, firstMatch(html, HTML_HISTORY_MARKERS));
}

// "Re:", "AW:", "Fwd:", "SV:", "RE :", "Re[2]:", "Отв:", "回复：" ... as mail clients put them before a subject.
const SUBJECT_PREFIX = /^\s*(re|aw|sv|vs|antw|odp|ynt|res|r|rif|ref|fw|fwd|wg|tr|rv|enc|doorst|vl|vb|pd|i|отв|ответ|пересл|回复|回覆|答复|转发|轉寄)\s?(\[\d{1,4}\]|\(\d{1,4}\))?\s?[:：]\s*/i;

/** A subject without the reply and forward prefixes of the common mail clients, in any number. */
export function stripSubjectPrefixes(subject: string): string {
  let s = subject;
  for (let i = 0; i < 20; i++) {
    const m = SUBJECT_PREFIX.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
  }
  return s.trim();
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
  // A paragraph ends in a blank line; Outlook's MsoNormal "paragraphs" are its lines.
  const paragraphs: boolean[] = [];
  const marked = html
    .replace(/<p\b[^>]*>|<\/p\s*>/gi, (tag) => {
      if (tag[1] !== '/') { paragraphs.push(!/MsoNormal/i.test(tag)); return tag; }
      return paragraphs.pop() ? '\n\n' : '\n';
    })
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
  /** The mail's whole text when `text` was cut from it (quoted history, signature): "show quoted text". */
  quoted?: string;
}

/** A text's words, spaces and line breaks aside. */
const words = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The whole text, kept when the stored text is not all of it ("when unsure, keep more": agents can expand it). */
function withQuoted(body: MessageBody, whole: string): MessageBody {
  const full = whole.replace(/\r\n?/g, '\n').trim();
  // Only when words were cut: not for trailing spaces or blank lines the stored text tidied away.
  return full !== '' && words(full) !== words(body.text) ? { ...body, quoted: full } : body;
}

/**
 * The stored body of a mail: the text part preferred (its HTML made from it), the HTML part when it
 * is the only one (cut before its quote, sanitised). Never empty: `fallback` names a mail of files only.
 */
export function messageBody(parts: { text?: string; html?: string | false }, fallback: string, options: ReplyOptions = {}): MessageBody {
  const hasText = typeof parts.text === 'string' && parts.text.trim() !== '';
  if (!hasText && parts.html) {
    const text = stripQuoted(htmlToText(options.forward ? parts.html : cutHistoryHtml(parts.html)), options) || stripQuoted(htmlToText(parts.html), options);
    if (!text) return { text: fallback, html: textToHtml(fallback) };
    // The formatted HTML is kept when it says what the text says (a reply above the quote); a reply
    // below or between quotes, or one whose sign-off or signature was cut, is shown from its text.
    const cut = cutQuotedHtml(parts.html);
    const html = sanitizeMailHtml(cut);
    const cutText = htmlToText(cut);
    const same = htmlToText(html).trim() !== '' && stripQuoted(cutText) === text && words(cutText) === words(text);
    return withQuoted({ text, html: same ? html : textToHtml(text) }, htmlToText(parts.html));
  }
  const text = hasText ? stripQuoted(parts.text!, options) : '';
  return text ? withQuoted({ text, html: textToHtml(text) }, parts.text!) : { text: fallback, html: textToHtml(fallback) };
}
