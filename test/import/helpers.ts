import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Test } from 'tap';
import { hashPassword } from '../../src/lib/crypto.js';
import { buildTestDesk, tempDir, type TestDesk } from '../helpers/app.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'import');
export const fixture = (...path: string[]) => join(FIXTURES, ...path);

export interface ImportDesk extends TestDesk {
  /** Kim, an agent of the desk, signed in. */
  agent: Client;
  run: (format: string, ...args: string[]) => Promise<CliResult>;
  counts: () => Promise<Record<string, number>>;
  /** What an original id became here. */
  local: (source: string, kind: string, id: string) => Promise<number>;
  /** Let an imported customer sign in (they come invited, without a password), signed in. */
  signIn: (email: string) => Promise<Client>;
}

const TABLES = ['users', 'organizations', 'tickets', 'messages', 'attachments', 'import_records', 'events'] as const;

/** A desk with one agent, and `deskbell import` run over its data directory (in this process, as the CLI runs). */
export async function importDesk(t: Test): Promise<ImportDesk> {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  await makeUser(db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const agent = new Client(desk.app);
  await agent.login('kim@desk.test', PASSWORD);
  const counts = async () => {
    const result: Record<string, number> = {};
    for (const table of TABLES) {
      result[table] = Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    }
    result.files = (await readdir(desk.config.uploadsDir, { recursive: true }).catch(() => [] as string[])).length;
    return result;
  };
  const local = async (source: string, kind: string, id: string) => (await db.selectFrom('import_records').select('local_id')
    .where('source', '=', source as 'csv').where('kind', '=', kind as 'ticket').where('external_id', '=', id).executeTakeFirstOrThrow()).local_id;
  const signIn = async (email: string) => {
    await db.updateTable('users').set({ state: 'active', password_hash: await hashPassword(PASSWORD) }).where('email', '=', email).execute();
    const client = new Client(desk.app);
    await client.login(email, PASSWORD);
    return client;
  };
  return { ...desk, agent, run: (format, ...args) => cli(desk.dir, 'import', format, ...args), counts, local, signIn };
}

/** A copy of a fixture folder to change (a bad row added), removed with the test. */
export async function fixtureCopy(t: Test, name: string): Promise<string> {
  const dir = join(tempDir(t), name);
  await cp(fixture(name), dir, { recursive: true });
  return dir;
}

/** The report's line for one kind: [created, skipped, failed]. */
export function reported(out: string, counted: string): number[] {
  const line = out.split('\n').find((l) => l.startsWith(counted));
  return line ? line.slice(counted.length).trim().split(/\s+/).map((n) => Number(n.replace(/,/g, ''))) : [];
}

/**
 * Every format's promise: a second run makes nothing new (everything skipped, the same rows), and a
 * dry run on a fresh desk writes nothing while it reports what the real run then makes.
 */
export async function checkRerunAndDryRun(t: Test, format: string, files: string[], expected: Record<string, number[]>) {
  t.test(`${format}: a dry run writes nothing and reports what a run makes; a second run makes nothing twice`, async (t) => {
    const desk = await importDesk(t);
    const before = await desk.counts();
    const dry = await desk.run(format, ...files, '--dry-run');
    t.equal(dry.code, 0, dry.err);
    t.match(dry.out, 'dry run: nothing was written');
    t.same(await desk.counts(), before, 'no row and no file written');
    const first = await desk.run(format, ...files);
    t.equal(first.code, 0, first.err);
    for (const [counted, [created, skipped]] of Object.entries(expected)) {
      t.same(reported(dry.out, counted).slice(0, 2), [created, skipped], `the dry run would make ${created} ${counted}`);
      t.same(reported(first.out, counted).slice(0, 2), [created, skipped], `the run made ${created} ${counted}`);
    }
    t.match(first.err, /import: \d+ \/ \d+ rows/, 'progress on stderr');
    const after = await desk.counts();
    const again = await desk.run(format, ...files);
    t.equal(again.code, 0, again.err);
    t.same(await desk.counts(), after, 'the second run wrote nothing');
    for (const counted of ['organizations', 'people', 'tickets', 'messages']) {
      t.equal(reported(again.out, counted)[0], 0, `no ${counted} made twice`);
    }
    t.equal(reported(again.out, 'tickets')[1], expected.tickets![0], 'every ticket skipped');
  });
}
