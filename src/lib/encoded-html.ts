import { randomBytes } from 'node:crypto';

// Placeholders start and end with a NUL and this process's random mark: no text a page shows can
// spell one (escaping leaves NUL alone, but the mark cannot be guessed).
const MARK = `\u0000${randomBytes(9).toString('base64url')}:`;
let made = 0;

/**
 * A part of a page already written and encoded as UTF-8, to be kept between requests (the agent
 * list's rows). A template writes it raw (`<%~ it.rows %>`) like a string; what lands in the
 * template's output is a placeholder, which `encodePage` replaces with the bytes. Encoding the page
 * (flattening thousands of template pieces into one string, then UTF-8) costs about as much as
 * writing it: a part that is kept is encoded once.
 */
export class EncodedHtml {
  readonly placeholder = `${MARK}${++made}\u0000`;
  constructor(readonly bytes: Buffer) {}

  static of(html: string): EncodedHtml {
    return new EncodedHtml(Buffer.from(html));
  }

  toString(): string {
    return this.placeholder;
  }
}

/** The page as UTF-8, with each of `parts` put where the template wrote it. */
export function encodePage(html: string, parts: readonly EncodedHtml[]): Buffer {
  if (parts.length === 0 || !html.includes(MARK)) return Buffer.from(html);
  const found: { at: number; part: EncodedHtml }[] = [];
  for (const part of parts) {
    for (let at = html.indexOf(part.placeholder); at !== -1; at = html.indexOf(part.placeholder, at + 1)) found.push({ at, part });
  }
  found.sort((a, b) => a.at - b.at);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const { at, part } of found) {
    pieces.push(Buffer.from(html.slice(from, at)), part.bytes);
    from = at + part.placeholder.length;
  }
  pieces.push(Buffer.from(html.slice(from)));
  return Buffer.concat(pieces);
}
