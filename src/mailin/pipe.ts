import type { Config } from '../config.js';
import { openDatabase } from '../db/open.js';
import { Catalogue } from '../i18n.js';
import { DomainError, TooManyRequests } from '../lib/errors.js';
import { createMailContext } from '../mail/context.js';
import { receiveMessage, UnparseableMail } from './receive.js';

/** sysexits.h: what an MTA's pipe transport understands. */
export const EX_DATAERR = 65;
export const EX_TEMPFAIL = 75;

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** What the MTA's log shows: a sentence (a desk error's text in English, with the wait), not a catalogue key. */
function reason(error: unknown): string {
  if (error instanceof TooManyRequests) {
    return `${new Catalogue().translator('en')(error.message, error.params)} (try again in ${error.retryAfterSeconds} s)`;
  }
  if (error instanceof DomainError) return new Catalogue().translator('en')(error.message, error.params);
  return error instanceof Error ? error.message : String(error);
}

/**
 * `deskbell mail receive`: one mail on stdin, as an MTA pipe delivers it. 0 when it was stored or
 * deliberately ignored (a duplicate, spam); 65 when the bytes are not a mail (the MTA bounces it);
 * 75 for anything else, so the MTA keeps the mail and tries again rather than losing it.
 */
export async function receiveFromStdin(
  configure: () => Config,
  io: { out: (s: string) => void; err: (s: string) => void; stdin?: () => Promise<Buffer> },
): Promise<number> {
  let db: Awaited<ReturnType<typeof openDatabase>>['db'] | null = null;
  try {
    const raw = await (io.stdin ? io.stdin() : readAll(process.stdin));
    const config = configure();
    db = (await openDatabase(config)).db;
    const catalogue = new Catalogue();
    catalogue.setOverrides(await db.selectFrom('texts').selectAll().execute());
    const mail = createMailContext(config, catalogue);
    const outcome = await receiveMessage({ db, config, mail }, raw, {});
    io.out(`${JSON.stringify(outcome)}\n`);
    return 0;
  } catch (error) {
    io.err(`deskbell: mail not stored: ${reason(error)}\n`);
    return error instanceof UnparseableMail ? EX_DATAERR : EX_TEMPFAIL;
  } finally {
    await db?.destroy();
  }
}
