/**
 * What of a reply the sender wrote (issue 25). Every line is classified once — text, quote marker,
 * attribution ("On … wrote:" in many languages and shapes), header block (Outlook's From/Sent/To/
 * Subject in many languages), separator ("-----Original Message-----"), forwarded block, signature
 * — and the sender's own lines are kept: the text above the quote (top-posted), below it
 * (bottom-posted), or the answers between the quotes with the quotes they answer (interleaved).
 *
 * Linear time: each line is looked at a bounded number of times (a lookahead of a few lines, an
 * attribution joined from at most three), only lines of at most MAX_LINE characters go through the
 * few regular expressions, and none of those can backtrack on its own output. When unsure, more is
 * kept: the full original stays on the ticket as .eml.
 */

type Kind = 'text' | 'blank' | 'quote' | 'attribution' | 'header' | 'separator' | 'forward' | 'signature' | 'history';

const MAX_LINE = 400;

const norm = (s: string) => s.replace(/[\s\u00a0]+/g, ' ').trim();
const lower = (s: string) => norm(s).toLowerCase();

// --- attributions ---------------------------------------------------------------------------------

/** Verbs of "X wrote" in the languages we read (lower case). */
const WROTE = [
  'wrote', 'writes', 'has written', 'schrieb', 'geschrieben', 'schreef', 'heeft geschreven', 'a écrit', 'a ecrit', 'escribió', 'escribio',
  'ha scritto', 'scrisse', 'napisał(a)', 'napisała', 'napisał', 'napisal', 'pisze', 'написал(а)', 'написала', 'написал', 'написав',
  'пишет', 'пише', 'написав(ла)', 'escreveu', 'skrev', 'kirjoitti', 'napsal(a)', 'napsala', 'napsal', 'yazdı', 'írta', 'a scris', '写道', '寫道', 'napísal',
  'έγραψε', 'schreibt', 'ha escrit', 'va escriure', 'rašė', 'rakstīja', 'kirjutas', 'написао', 'je napisal', 'je napisao',
];
/** Words an attribution starts with (lower case, with the space that follows). */
const ATTRIBUTION_START = [
  'on ', 'am ', 'le ', 'el ', 'il ', 'op ', 'w dniu ', 'dnia ', 'den ', 'em ', 'no dia ', 'dne ', 'el dia ', 'la ', 'in data ',
  'quoting ', 'citando ', 'zitat von ', 'citation ',
];
const QUOTE_HEADER = /^(quoting|citando|zitat von|citation de|cytat)\b/;

function wroteAt(s: string): number {
  let best = -1;
  for (const verb of WROTE) {
    let from = 0;
    for (;;) {
      const at = s.indexOf(verb, from);
      if (at < 0) break;
      const before = at === 0 ? ' ' : s[at - 1]!;
      const after = s[at + verb.length] ?? ' ';
      const cjk = /[\u3000-\u9fff]/.test(verb);
      if (cjk || (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after))) { best = Math.max(best, at); break; }
      from = at + 1;
    }
  }
  return best;
}

/** Is this (joined) line an attribution? `quoteFollows`: the next non-blank line is a `>` quote. */
function isAttribution(joined: string, quoteFollows: boolean): boolean {
  if (joined.length > MAX_LINE || joined.length < 6) return false;
  // Every shape below needs a date, an address or a quote after it: most lines stop here.
  if (!quoteFollows && !/[\d@]/.test(joined)) return false;
  let s = lower(joined);
  // Zoho's "---- On … wrote ----", and a Gmail attribution bolded by an HTML conversion.
  s = s.replace(/^[-*_\s]+/, '').replace(/[-*_\s]+$/, '');
  const colon = /[:：]$/.test(s);
  const body = s.replace(/[:：]$/, '').trim();
  const hasDigit = /\d/.test(body);
  const hasAt = body.includes('@');
  const starts = ATTRIBUTION_START.some((w) => body.startsWith(w));
  if (QUOTE_HEADER.test(body) && colon && (hasAt || quoteFollows)) return true;
  const verb = wroteAt(body);
  if (verb >= 0) {
    // The verb near the end ("… wrote:") or followed only by the name ("Am … schrieb Help Desk <a@b>:").
    const tail = body.slice(verb);
    const tailShort = tail.length <= 120 && (hasAt || !/[.!?]\s/.test(tail));
    if (!tailShort) return false;
    if (colon && (starts || hasAt) && (hasDigit || hasAt)) return true;
    if (colon && quoteFollows && (hasDigit || hasAt || starts)) return true;
    // "… wrote" without a colon, and "---- On … wrote ----".
    if (!colon && body.endsWith(tail) && /^[\p{L}()]+$/u.test(tail.replace(/\s+/g, '')) && (quoteFollows || (starts && hasDigit)) && (hasDigit || hasAt)) return true;
    return false;
  }
  // Date first, no verb (Yandex, mail.ru, Japanese Gmail): "26.06.2014, 14:41, "X" <x@y>:".
  if (colon && hasAt && /^[\d(]/.test(body) && body.endsWith('>') && (quoteFollows || /\d{1,2}:\d{2}/.test(body))) return true;
  if (colon && hasAt && /^\d{4}[年/.-]/.test(body) && body.endsWith('>')) return true;
  // mail.ru's "Среда, 3 марта 2026, 10:02 +03:00 от Help Desk <s@d.test>:" and other dated lines ending in an address.
  if (colon && hasAt && hasDigit && body.endsWith('>') && quoteFollows) return true;
  return false;
}

// --- Outlook header blocks --------------------------------------------------------------------------

const FROM_KEYS = new Set(['from', 'von', 'de', 'van', 'da', 'od', 'от', 'från', 'fra', 'lähettäjä', 'kimden', '差出人', '发件人', '寄件者',
  'feladó', 'expéditeur', 'remitente', 'mittente', 'afzender', 'nadawca', 'отправитель', 'de la', 'αποστολέας', 'від', 'frá', 'saatja']);
const OTHER_KEYS = new Set(['sent', 'date', 'to', 'subject', 'cc', 'gesendet', 'datum', 'an', 'betreff', 'envoyé', 'envoyé le', 'date de', 'à', 'a',
  'objet', 'enviado', 'enviada', 'enviado el', 'fecha', 'para', 'asunto', 'assunto', 'inviato', 'data', 'oggetto', 'verzonden', 'verstuurd',
  'aan', 'onderwerp', 'wysłano', 'wysłane', 'do', 'temat', 'dw', 'отправлено', 'дата', 'кому', 'тема', 'копия', 'skickat', 'till', 'ämne',
  'sendt', 'til', 'emne', 'lähetetty', 'vastaanottaja', 'aihe', 'odesláno', 'komu', 'předmět', 'gönderildi', 'tarih', 'kime', 'konu',
  '送信日時', '宛先', '件名', '发送时间', '收件人', '主题', '日期', 'elküldve', 'címzett', 'tárgy', 'kopie', 'bcc', 'reply-to', 'antwort an',
  'trimis', 'către', 'subiect', 'надіслано', 'тема:', 'enviado em', 'cc:', 'kp', 'kopia', 'копія', 'αποστολή', 'προς', 'θέμα']);

/** The key of a "Key: value" line ("From:", "*De :*", "Von:"), lower case, or null. */
function headerKey(line: string): string | null {
  if (line.length > MAX_LINE) return null;
  const m = /^[*_]{0,2}([^\s:*：][^:*：]{0,24}?)[*_]{0,2}\s?[:：]/.exec(norm(line));
  if (!m) return null;
  const key = m[1]!.toLowerCase().replace(/[*_]+$/, '').trim();
  return FROM_KEYS.has(key) || OTHER_KEYS.has(key) ? key : null;
}

/** A From line followed closely by other header lines (Sent, To, Subject...): Outlook's quoted header. */
function isHeaderBlock(lines: string[], i: number, keyOf: (j: number) => string | null): boolean {
  const key = keyOf(i);
  if (key === null || !FROM_KEYS.has(key)) return false;
  // The whole block on one line, as some HTML-to-text conversions leave it.
  if (lines[i]!.length <= MAX_LINE) {
    let inline = 0;
    for (const m of lines[i]!.matchAll(/\s[*_]{0,2}([^\s:*：]{1,20})[*_]{0,2}\s?[:：]/g)) if (OTHER_KEYS.has(m[1]!.toLowerCase())) inline++;
    if (inline >= 2) return true;
  }
  let seen = 0;
  for (let j = i + 1, looked = 0; j < lines.length && looked < 8; j++) {
    if (lines[j]!.trim() === '') continue;
    looked++;
    const other = keyOf(j);
    if (other !== null && OTHER_KEYS.has(other)) seen++;
    if (seen >= 2 || (seen >= 1 && looked >= 2)) return true;
  }
  return false;
}

// --- separators, forwards, signatures -------------------------------------------------------------

const ORIGINAL_MESSAGE = ['original message', 'ursprüngliche nachricht', "message d'origine", 'message d’origine', 'mensaje original',
  'messaggio originale', 'oorspronkelijk bericht', 'origineel bericht', 'oryginalna wiadomość', 'wiadomość oryginalna', 'исходное сообщение',
  'původní zpráva', 'alkuperäinen viesti', 'originalmeddelande', 'opprinnelig melding', 'oprindelig meddelelse', 'mensagem original',
  'orijinal ileti', 'original nachricht', 'reply message', 'original-nachricht'];
const FORWARDED = ['forwarded message', 'begin forwarded message', 'weitergeleitete nachricht', 'message transféré', 'message transfere',
  'mensaje reenviado', 'messaggio inoltrato', 'inizio messaggio inoltrato', 'doorgestuurd bericht', 'begin doorgestuurd bericht',
  'wiadomość przekazana dalej', 'przekazana wiadomość', 'przesłana wiadomość', 'пересылаемое сообщение', 'пересланное сообщение',
  'mensagem encaminhada', 'início da mensagem encaminhada', 'vidarebefordrat meddelande', 'videresendt melding', 'videresendt meddelelse',
  'välitetty viesti', 'přeposlaná zpráva', 'iletilmiş ileti', '転送されたメッセージ', '转发的邮件', 'début du message réexpédié',
  'anfang der weitergeleiteten nachricht', 'comienzo del mensaje reenviado', 'inicio del mensaje reenviado', 'forwarded email',
  'forwarded e-mail'];

function separatorKind(line: string): 'separator' | 'forward' | 'rule' | null {
  const raw = line.trim();
  if (raw.length > 120 || raw.length < 4) return null;
  if (/^_{20,}$/.test(raw) || /^-{20,}$/.test(raw)) return 'rule';
  if (/^#{1,2}-.*reply above this line.*-#{1,2}$/i.test(raw)) return 'separator';
  const dashed = /^[-=_*\s]*[-=_*]{2,}/.test(raw) || /[-=_*]{2,}[\s]*$/.test(raw);
  const s = raw.toLowerCase().replace(/^[-=_*\s>]+/, '').replace(/[-=_*\s:]+$/, '').trim();
  if (FORWARDED.some((w) => s === w || (s.startsWith(w) && s.length - w.length < 4))) return 'forward';
  if (ORIGINAL_MESSAGE.some((w) => s === w) && (dashed || raw.endsWith(':'))) return 'separator';
  return null;
}

const MOBILE_FOOTER = ['sent from my ', 'sent from ', 'sent with ', 'sent via ', 'sent using ', 'get outlook for', 'get bluemail', 'von meinem ', 'gesendet von ',
  'gesendet mit ', 'von outlook für', 'envoyé de mon', 'envoyé depuis', 'envoye de mon', 'envoyé à partir', 'obtenir outlook', 'téléchargez outlook',
  'enviado desde ', 'enviado do ', 'enviado de mi', 'enviado a partir', 'obtener outlook', 'inviato da ', 'inviato dal ', 'scarica outlook',
  'verzonden vanaf ', 'verstuurd vanaf ', 'verzonden met ', 'verzonden vanuit ', 'outlook voor ', 'wysłane z ', 'wysłano z ', 'pobierz outlook',
  'отправлено с ', 'отправлено из ', 'отправлено через ', 'skickat från ', 'sendt fra ', 'lähetetty ', 'odesláno z ', 'iphone\'umdan', 'iphoneから送信',
  '从我的iphone发送', '发自我的iphone', 'sent from yahoo', 'envoyé avec ', 'skickades från ', 'wysłane przy ', 'получено с'];

function isMobileFooter(line: string): boolean {
  const s = lower(line).replace(/^[*_]+|[*_]+$/g, '');
  if (s.length === 0 || s.length > 70) return false;
  if (/^(von|vom) meinem .{1,40} gesendet\.?$/.test(s)) return true;
  return MOBILE_FOOTER.some((p) => s.startsWith(p)) && !/[.!?]\s\S/.test(s);
}

const QUOTE_LINE = /^\s*>/;
const SIGNATURE_DELIMITER = /^--\s?$/;
const SHORT_SIGNATURE = 8;

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

/** Signatures at the end of the sender's text: "-- " and a few lines, mobile footers. */
function markSignatures(lines: string[], kinds: Kind[], last: number): void {
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

/** The new text of a reply: quoted history, attributions, header blocks and end signatures removed. */
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
    markSignatures(own, ownKinds, own.length - 1);
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
