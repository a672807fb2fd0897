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

interface Kept {
  next: WeakMap<object, Kept>;
  parts: Map<string, EncodedHtml>;
}
const kept: Kept = { next: new WeakMap(), parts: new Map() };
/** Ways one part is written per set of owners (a filter's values, say): the oldest goes beyond. */
const KEYS_PER_OWNER = 50;

/**
 * A part of a page written once for its `owners` and `key`, then kept. The owners are the data it
 * is written from, remembered until the database changes (the values of a ChangeCache: once read
 * again, they are new objects, and the parts written from the old ones go with them); `key` says
 * everything else the part depends on (the language, the texts, what is chosen in it).
 */
export async function keptPart(owners: readonly object[], key: string, write: () => Promise<string>): Promise<EncodedHtml> {
  let node = kept;
  for (const owner of owners) {
    let next = node.next.get(owner);
    if (!next) node.next.set(owner, next = { next: new WeakMap(), parts: new Map() });
    node = next;
  }
  let part = node.parts.get(key);
  if (!part) {
    part = EncodedHtml.of(await write());
    if (node.parts.size >= KEYS_PER_OWNER) node.parts.delete(node.parts.keys().next().value as string);
    node.parts.set(key, part);
  }
  return part;
}
