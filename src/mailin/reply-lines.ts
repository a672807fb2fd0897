/**
 * What one line of a reply is (issue 25): an attribution ("On … wrote:" in many languages and
 * shapes), a line of an Outlook header block (From/Sent/To/Subject in many languages), a separator
 * ("-----Original Message-----"), the start of a forwarded mail, a mobile footer ("Sent from my
 * iPhone"), or a line of a sign-off block ("Kind regards," and a name). reply.ts classifies a whole mail with these and keeps what the sender wrote.
 *
 * Only lines of at most MAX_LINE characters go through the few regular expressions here, and none
 * of those can backtrack on its own output.
 */

export const MAX_LINE = 400;

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
export function isAttribution(joined: string, quoteFollows: boolean): boolean {
  if (joined.length > MAX_LINE || joined.length < 6) return false;
  // Every shape below needs a date, an address or a quote after it: most lines stop here.
  if (!quoteFollows && !/[\d@]/.test(joined)) return false;
  let s = lower(joined);
  // Zoho's "---- On … wrote ----" (in German "---- Am … schrieb X <x@y> ----"), and a Gmail attribution bolded by an HTML conversion.
  const dashed = /^-{2,}\s.*\s-{2,}$/.test(s);
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
    if (dashed && starts && hasDigit) return true;
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
export function headerKey(line: string): string | null {
  if (line.length > MAX_LINE) return null;
  const m = /^[*_]{0,2}([^\s:*：][^:*：]{0,24}?)[*_]{0,2}\s?[:：]/.exec(norm(line));
  if (!m) return null;
  const key = m[1]!.toLowerCase().replace(/[*_]+$/, '').trim();
  return FROM_KEYS.has(key) || OTHER_KEYS.has(key) ? key : null;
}

/** A From line followed closely by other header lines (Sent, To, Subject...): Outlook's quoted header. */
export function isHeaderBlock(lines: string[], i: number, keyOf: (j: number) => string | null): boolean {
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

export function separatorKind(line: string): 'separator' | 'forward' | 'rule' | null {
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

export function isMobileFooter(line: string): boolean {
  const s = lower(line).replace(/^[*_]+|[*_]+$/g, '');
  if (s.length === 0 || s.length > 70) return false;
  if (/^(von|vom) meinem .{1,40} gesendet\.?$/.test(s)) return true;
  return MOBILE_FOOTER.some((p) => s.startsWith(p)) && !/[.!?]\s\S/.test(s);
}

// --- sign-offs -----------------------------------------------------------------------------------

/** Sign-off phrases in the corpus languages (lower case, without the comma or "!" after them). */
const SIGN_OFFS = new Set([
  'kind regards', 'best regards', 'regards', 'warm regards', 'warmest regards', 'with kind regards', 'with best regards', 'best wishes',
  'all the best', 'best', 'thanks', 'thank you', 'thanks a lot', 'thanks again', 'thanks in advance', 'thank you very much', 'many thanks',
  'cheers', 'sincerely', 'yours sincerely', 'sincerely yours', 'yours truly', 'yours faithfully', 'thx', 'thanks and regards',
  'thanks & regards',
  'mit freundlichen grüßen', 'mit freundlichen grüssen', 'freundliche grüße', 'freundliche grüsse', 'viele grüße', 'viele grüsse', 'beste grüße',
  'beste grüsse', 'liebe grüße', 'liebe grüsse', 'herzliche grüße', 'herzliche grüsse', 'schöne grüße', 'mit besten grüßen', 'gruß', 'gruss',
  'grüße', 'grüsse', 'mit freundlichem gruß', 'mit freundlichem gruss', 'lg', 'vg', 'mfg', 'danke', 'vielen dank', 'danke schön', 'besten dank',
  'herzlichen dank',
  'cordialement', 'bien cordialement', 'bien à vous', 'bien a vous', 'salutations', 'sincères salutations', 'meilleures salutations',
  'salutations distinguées', 'bonne journée', 'merci', 'merci beaucoup', "merci d'avance", 'merci d’avance', 'amicalement',
  'saludos', 'un saludo', 'saludos cordiales', 'un cordial saludo', 'atentamente', 'cordialmente', 'un saludo cordial', 'gracias',
  'muchas gracias', 'gracias de antemano', 'un abrazo',
  'cordiali saluti', 'saluti cordiali', 'saluti', 'distinti saluti', 'un saluto', 'grazie', 'grazie mille', 'buona giornata',
  'met vriendelijke groet', 'met vriendelijke groeten', 'vriendelijke groet', 'hartelijke groet', 'hartelijke groeten', 'met hartelijke groet',
  'groeten', 'groetjes', 'groet', 'mvg', 'bedankt', 'alvast bedankt', 'dank je', 'dank u',
  'pozdrawiam', 'pozdrawiam serdecznie', 'serdecznie pozdrawiam', 'z poważaniem', 'z wyrazami szacunku', 'pozdrowienia', 'dziękuję', 'dzięki',
  'atenciosamente', 'cumprimentos', 'melhores cumprimentos', 'com os melhores cumprimentos', 'saudações', 'abraço', 'abraços', 'um abraço',
  'att', 'abs', 'obrigado', 'obrigada', 'muito obrigado', 'muito obrigada',
  'с уважением', 'спасибо', 'большое спасибо', 'заранее спасибо', 'благодарю', 'всего доброго', 'всего хорошего', 'с наилучшими пожеланиями',
  'med vänliga hälsningar', 'vänliga hälsningar', 'vänlig hälsning', 'hälsningar', 'mvh', 'tack', 'tack så mycket', 'tack på förhand',
  'venlig hilsen', 'med venlig hilsen', 'venlige hilsner', 'hilsen', 'bedste hilsner', 'de bedste hilsner', 'tak', 'mange tak',
  's pozdravem', 's přátelským pozdravem', 's úctou', 'zdravím', 'děkuji', 'díky', 'předem děkuji',
]);

/** A line that is only a sign-off phrase: "Kind regards,", "Mit freundlichen Grüßen", "Thanks!", "С уважением,". */
export function isSignOff(line: string): boolean {
  if (line.length > 60) return false;
  return SIGN_OFFS.has(lower(line).replace(/^[*_¡]+/, '').replace(/[\s*_,.!;:…~–—-]+$/u, ''));
}

/** A short line of a sign-off block (a name, a title, a company, a phone), not a sentence or a question. */
export function isSignOffDetail(line: string): boolean {
  const s = norm(line);
  if (s.length === 0 || s.length >= 60 || /[?!:]$/.test(s) || /^p\.?\s?s\b/i.test(s)) return false;
  // A sentence break ("works. Also"), or a sentence that ends in a full stop ("the toner is low.").
  return !/\p{Ll}{2}[.!?;]\s/u.test(s) && !(s.split(' ').length >= 4 && /\p{Ll}{3}\.$/u.test(s));
}

/** A greeting on its own ("Hi Anna,", "Sehr geehrte Damen und Herren,"): not words of the sender's own. */
export function isSalutation(line: string): boolean {
  const s = norm(line);
  return s.length <= 40 && s.endsWith(',');
}
