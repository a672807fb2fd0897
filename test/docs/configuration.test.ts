import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { ROOT } from '../helpers/cli.js';

/** docs/configuration.md documents every environment variable src/config.ts reads, and no other. */
const source = readFileSync(join(ROOT, 'src', 'config.ts'), 'utf8');
const doc = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
const rows = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => [m[1]!, m.slice(2).map((c) => c.trim())]));

const read = new Set([...source.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)].map((m) => (m[1] ?? m[2])!));
// SETTABLE_ENV names the variables an admin screen could change; they are read through env[name].
for (const name of /SETTABLE_ENV = \[([^\]]*)\]/.exec(source)?.[1]?.match(/[A-Z][A-Z0-9_]*/g) ?? []) read.add(name);

t.test('the source scan finds the variables', async (t) => {
  t.ok(read.size >= 15, `found ${[...read].join(', ')}`);
});

t.test('every variable src/config.ts reads has a row with a default, an example and a meaning', async (t) => {
  for (const name of read) {
    const row = rows.get(name);
    t.ok(row, `${name} is in docs/configuration.md`);
    if (row) t.ok(row.every((cell) => cell.length > 0), `${name}: default, example and meaning are filled in`);
  }
});

t.test('the table names no variable that is not read', async (t) => {
  for (const name of rows.keys()) t.ok(read.has(name), `${name} is read by src/config.ts`);
});

t.test('every variable the scan found changes what loadConfig returns', async (t) => {
  // Guards the scan itself: a variable found in the source must be one loadConfig really reads.
  const dir = t.testdir();
  const base = { DATA_DIR: dir, SECRET_KEY: 'k'.repeat(64) };
  const samples: Record<string, string> = {
    DATABASE_POOL_SIZE: '20', DATABASE_PREPARED_STATEMENTS: '50',
    JOB_POLL_MS: '5000',
    PORT: '8080', HOST: '0.0.0.0', DATA_DIR: join(dir, 'other'), DATABASE_URL: `sqlite:${join(dir, 'x.db')}`,
    BASE_URL: 'https://help.example.com', BACKUP_KEEP: '9', SMTP_URL: 'smtp://relay:25', SMTP_LISTEN: '2525',
    MAIL_DOMAIN: 'mail.example.com', IMAP_URL: 'imaps://u:p@imap.example.com/INBOX', SECRET_KEY: 's'.repeat(64),
    TRUST_PROXY: 'true', VIDEO_BASE_URL: 'https://meet.example.com/', LOG_LEVEL: 'warn', LOG_FORMAT: 'pretty', NODE_ENV: 'development',
    WEBHOOKS_ALLOW_PRIVATE: 'true',
  };
  // Read only along with another variable: the pool of a PostgreSQL database.
  const postgres = { DATABASE_URL: 'postgres://deskbell@db.example.com/deskbell' };
  const along: Record<string, Record<string, string>> = { DATABASE_POOL_SIZE: postgres, DATABASE_PREPARED_STATEMENTS: postgres };
  for (const name of read) {
    t.ok(samples[name], `the test has a sample value for ${name}`);
    const plain = JSON.stringify(loadConfig({ ...base, ...along[name] }));
    if (samples[name]) t.not(JSON.stringify(loadConfig({ ...base, ...along[name], [name]: samples[name] })), plain, `${name} changes the config`);
  }
});
