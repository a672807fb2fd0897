/**
 * What of a reply the sender wrote (issue 25). Every line is classified once — text, quote marker,
 * attribution ("On … wrote:" in many languages and shapes), header block (Outlook's From/Sent/To/
 * Subject in many languages), separator ("-----Original Message-----"), forwarded block, signature
 * — and the sender's own lines are kept: the text above the quote (top-posted), below it
 * (bottom-posted), or the answers between the quotes with the quotes they answer (interleaved). A
 * signature, a mobile footer or a short sign-off block ("Kind regards,\nCasey") at its end goes too.
 *
 * Linear time: each line is looked at a bounded number of times (a lookahead of a few lines, an
 * attribution joined from at most three); what one line is, is worked out in reply-lines.ts. When
 * unsure, more is kept: the full original stays on the ticket as .eml, and agents can expand the
 * whole text ("show quoted text").
 */

import {
  headerKey, isAttribution, isHeaderBlock, isMobileFooter, isSalutation, isSignOff, isSignOffDetail, MAX_LINE, separatorKind,
} from './reply-lines.js';

type Kind = 'text' | 'blank' | 'quote' | 'attribution' | 'header' | 'separator' | 'forward' | 'signature' | 'history';

const QUOTE_LINE = /^\s*>/;
const SIGNATURE_DELIMITER = /^--\s?$/;
const SHORT_SIGNATURE = 8;
/** Lines a sign-off block may have under its phrase: a name, a title, a company, a phone. */
const SIGN_OFF_DETAILS = 3;

// --- the classification --------------------------------------------------------------------------

function classify(lines: string[]): Kind[] {
  const n = lines.length;
  const kinds: Kind[] = new Array<Kind>(n).fill('text');
  const quoted = lines.map((l) => QUOTE_LINE.test(l));
  const isQuote = (i: number) => quoted[i]!;
  // The next non-blank line after i, or -1 (a bounded look: long blank runs are not attributions).
  const nextNonBlank = (i: number) => {
    for (let j = i + 1; j < n && j <= i + 4; j++) if (lines[j]!.trim() !== '') return j;
    return -1;
  };
  // Each line's header key is worked out once (a header block looks ahead a few lines).
  const keys = new Array<string | null | undefined>(n);
  const keyOf = (j: number) => {
    let key = keys[j];
    if (key === undefined) key = keys[j] = headerKey(lines[j]!);
    return key;
  };
  let history = false;
  for (let i = 0; i < n; i++) {
    const line = lines[i]!;
    if (history) { kinds[i] = 'history'; continue; }
    if (line.trim() === '') { kinds[i] = 'blank'; continue; }
    if (isQuote(i)) { kinds[i] = 'quote'; continue; }
    const sep = separatorKind(line);
    if (sep === 'forward') { kinds[i] = 'forward'; continue; }
    if (sep === 'separator') { kinds[i] = 'separator'; history = true; continue; }
    // A rule of underscores or dashes ends the reply only above a header block (Outlook's): in the
    // sender's own text it is a divider.
    if (sep === 'rule') {
      const next = nextNonBlank(i);
      if (next >= 0 && isHeaderBlock(lines, next, keyOf)) { kinds[i] = 'separator'; history = true; }
      continue;
    }
    if (isHeaderBlock(lines, i, keyOf)) { kinds[i] = 'header'; history = true; continue; }
    // Attributions, wrapped over up to three lines by the client.
    let joined = '';
    let found = 0;
    for (let k = 0; k < 3 && i + k < n; k++) {
      const part = lines[i + k]!;
      if (part.trim() === '' || (k > 0 && isQuote(i + k)) || part.length > MAX_LINE) break;
      joined = k === 0 ? part.trim() : `${joined} ${part.trim()}`;
      const next = nextNonBlank(i + k);
      if (isAttribution(joined, next >= 0 && isQuote(next))) { found = k + 1; break; }
    }
    if (found > 0) {
      for (let k = 0; k < found; k++) kinds[i + k] = 'attribution';
      const next = nextNonBlank(i + found - 1);
      // An attribution over unquoted history (an HTML reply turned into text, Outlook on the web).
      if (next >= 0 && !isQuote(next)) history = true;
      i += found - 1;
    }
  }
  return kinds;
}

/**
 * Signatures at the end of the sender's text: "-- " and a few lines, mobile footers, and (with
 * `signOff`) a short sign-off block.
 */
function markSignatures(lines: string[], kinds: Kind[], last: number, signOff = true): void {
  // Mobile footers and blanks at the very end of the sender's text.
  let i = last;
  while (i >= 0 && (kinds[i] === 'blank' || (kinds[i] === 'text' && isMobileFooter(lines[i]!)))) {
    if (kinds[i] === 'text') kinds[i] = 'signature';
    i--;
  }
  // "-- " followed by a short block that ends the sender's text.
  for (let j = i, looked = 0; j >= 0 && looked <= SHORT_SIGNATURE + 2; j--) {
    if (kinds[j] !== 'text' && kinds[j] !== 'blank') break;
    if (kinds[j] === 'text') looked++;
    if (kinds[j] === 'text' && SIGNATURE_DELIMITER.test(lines[j]!.trimEnd()) && lines[j]!.startsWith('--')) {
      const body = kinds.slice(j + 1, last + 1).filter((k) => k === 'text').length;
      if (body <= SHORT_SIGNATURE) for (let k = j; k <= last; k++) if (kinds[k] === 'text') kinds[k] = 'signature';
      break;
    }
  }
  if (signOff) markSignOff(lines, kinds);
}

/**
 * A sign-off block that ends the sender's text ("Kind regards,\nCasey Jones\nACME Ltd."): a line that
 * is only a sign-off phrase and at most SIGN_OFF_DETAILS short lines. Kept when it is all the sender
 * wrote (a reply that is only "Thanks!"), after only a greeting, or when a line under it is a sentence.
 */
function markSignOff(lines: string[], kinds: Kind[]): void {
  const end = kinds.lastIndexOf('text');
  let phrase = -1;
  for (let j = end, details = 0; j >= 0; j--) {
    if (kinds[j] === 'blank') continue;
    if (kinds[j] !== 'text') return;
    if (isSignOff(lines[j]!)) { phrase = j; break; }
    if (++details > SIGN_OFF_DETAILS || !isSignOffDetail(lines[j]!)) return;
  }
  if (phrase < 0) return;
  // Words of the sender's own directly above it, not only a greeting.
  let own = false;
  for (let j = phrase - 1; j >= 0 && (kinds[j] === 'text' || kinds[j] === 'blank'); j--) {
    if (kinds[j] === 'text' && !isSalutation(lines[j]!)) { own = true; break; }
  }
  if (!own) return;
  for (let k = phrase; k <= end; k++) if (kinds[k] === 'text') kinds[k] = 'signature';
}

export interface ReplyOptions {
  /** The mail is a forward (its subject starts with "Fwd:", "WG:", "TR:"...). */
  forward?: boolean;
}

// "Fwd:", "FW:", "WG:", "TR:", "RV:", "I:", "ENC:", "PD:", "Doorst:", "VL:", "Пересл:", "转发:" at the start of a subject.
const FORWARD_SUBJECT = /^\s*((re|aw|sv|antw|odp)\s?:\s*)*(fwd?|wg|tr|rv|i|enc|pd|doorst|vl|vb|пересл|转发|轉寄)\s?[:：]/i;

/** Whether a subject says the mail is a forward. */
export function isForwardSubject(subject: string): boolean {
  return subject.length <= 1000 && FORWARD_SUBJECT.test(subject);
}

/** The new text of a reply: quoted history, attributions, header blocks, end signatures and sign-offs removed. */
export function extractReply(input: string, options: ReplyOptions = {}): string {
  const text = input.replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const kinds = classify(lines);
  const n = lines.length;
  // A forward (its subject says so) from Outlook and the like carries no "Forwarded message" line:
  // its first header block or separator starts the forwarded mail, which is content.
  if (options.forward) {
    const start = kinds.findIndex((k) => k === 'quote' || k === 'attribution' || k === 'header' || k === 'separator');
    if (start >= 0 && (kinds[start] === 'header' || kinds[start] === 'separator')) kinds[start] = 'forward';
  }

  // A forward the sender introduces (or sends without a word) is content, whole, up to any history
  // that came before it: the forwarded header block is part of what they send.
  const firstForward = kinds.indexOf('forward');
  const firstHistory = kinds.findIndex((k) => k === 'quote' || k === 'attribution' || k === 'header' || k === 'separator');
  if (firstForward >= 0 && (firstHistory < 0 || firstForward < firstHistory)) {
    const own = lines.slice(0, firstForward);
    const ownKinds = kinds.slice(0, firstForward);
    // A sign-off above the forwarded mail is followed by content: it stays.
    markSignatures(own, ownKinds, own.length - 1, false);
    const intro = own.filter((_, i) => ownKinds[i] !== 'signature').join('\n').trim();
    const forwarded = lines.slice(firstForward).join('\n').trim();
    return tidy(intro ? `${intro}\n\n${forwarded}` : forwarded);
  }

  let last = -1;
  for (let i = n - 1; i >= 0; i--) if (kinds[i] === 'text') { last = i; break; }
  if (last < 0) return text.trim();
  markSignatures(lines, kinds, last);
  let first = -1;
  last = -1;
  for (let i = 0; i < n; i++) {
    if (kinds[i] !== 'text') continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) return text.trim();
  // Interleaved: quotes between the sender's answers stay, with the quote block the first answer answers.
  const interleaved = kinds.slice(first, last + 1).some((k) => k === 'quote');
  if (interleaved) {
    let j = first - 1;
    while (j >= 0 && kinds[j] === 'blank') j--;
    if (j >= 0 && kinds[j] === 'quote') {
      while (j >= 0 && (kinds[j] === 'quote' || kinds[j] === 'blank')) j--;
      first = j + 1;
      while (kinds[first] === 'blank') first++;
    }
  }
  const kept: string[] = [];
  for (let i = first; i <= last; i++) {
    const k = kinds[i]!;
    if (k === 'text' || k === 'blank' || (interleaved && k === 'quote')) kept.push(lines[i]!);
  }
  const result = tidy(kept.join('\n'));
  return result === '' ? text.trim() : result;
}

function tidy(s: string): string {
  return s.split('\n').map((l) => l.replace(/[ \t]+$/, '')).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
