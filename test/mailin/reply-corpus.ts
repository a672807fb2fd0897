import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlToText, loadSanitizer, messageBody } from '../../src/mailin/content.js';
import { isForwardSubject } from '../../src/mailin/reply.js';

export const CORPUS_DIR = join(import.meta.dirname, '..', 'fixtures', 'mail-replies');

export interface ReplyCase {
  file: string;
  name: string;
  kind: 'text' | 'html';
  /** The mail's subject, when it matters (a forward says so there). */
  subject: string;
  input: string;
  expected: string;
}

/** The reply corpus (test/fixtures/mail-replies/*.txt, format in its README). */
export function loadCorpus(dir = CORPUS_DIR): ReplyCase[] {
  const cases: ReplyCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    let current: ReplyCase | null = null;
    let part: 'input' | 'expected' = 'input';
    const buffer: string[] = [];
    const flush = () => {
      if (!current) return;
      current[part] = buffer.join('\n').replace(/\n+$/, '');
      buffer.length = 0;
    };
    for (const line of lines) {
      const head = /^#### (case: (.*)|subject: (.*)|text|html|expected)$/.exec(line);
      if (!head) { buffer.push(line); continue; }
      if (head[3] !== undefined) { current!.subject = head[3]; continue; }
      flush();
      if (head[2] !== undefined) {
        current = { file, name: head[2], kind: 'text', subject: '', input: '', expected: '' };
        cases.push(current);
      } else if (head[1] === 'expected') {
        part = 'expected';
      } else {
        current!.kind = head[1] as 'text' | 'html';
        part = 'input';
      }
    }
    flush();
  }
  return cases;
}

/** What Deskbell stores as the message text for a case's body (the same path as an inbound mail). */
export async function storedText(c: ReplyCase): Promise<string> {
  await loadSanitizer();
  const forward = isForwardSubject(c.subject);
  return messageBody(c.kind === 'html' ? { html: c.input } : { text: c.input }, '(no text)', { forward }).text;
}

export async function accuracy(cases = loadCorpus()) {
  const failures: { c: ReplyCase; got: string }[] = [];
  for (const c of cases) {
    const got = await storedText(c);
    if (got !== c.expected.trim()) failures.push({ c, got });
  }
  return { total: cases.length, exact: cases.length - failures.length, failures };
}

export { htmlToText };
