// docs/api.md: its curl examples run as they stand against a live server (issue 22).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/app.js';
import { buildApiDesk } from './helpers.js';

function run(script: string, env: Record<string, string>, cwd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => { out += String(chunk); });
    child.stderr.on('data', (chunk) => { err += String(chunk); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

t.test('every curl example of docs/api.md works against a running desk', async (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  t.ok(blocks.length >= 7, `${blocks.length} examples`);
  const desk = await buildApiDesk(t);
  await desk.app.listen({ port: 0, host: '127.0.0.1' });
  const address = desk.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const cwd = tempDir(t);
  // One shell, in order: later examples use what earlier ones made ($TICKET, steps.txt).
  const result = await run(['set -euo pipefail', ...blocks].join('\n'), { DESKBELL: base, TOKEN: desk.tokens.agent, ADMIN_TOKEN: desk.tokens.admin }, cwd);
  t.equal(result.code, 0, `the examples ran: ${result.err.slice(0, 1000)}`);
  t.match(result.out, /ticket \d+/, 'a ticket was opened');
  t.match(result.out, '"high"', 'changed');
  t.match(result.out, '"note"', 'a note written');
  t.match(result.out, /422\n"#\/(subject|requesterEmail)"/, 'the mistake named');
  const ticket = Number(/ticket (\d+)/.exec(result.out)![1]);
  const row = await desk.db.selectFrom('tickets').select(['priority', 'channel']).where('id', '=', ticket).executeTakeFirstOrThrow();
  t.same(row, { priority: 'high', channel: 'api' }, 'the desk holds what the examples did');
  t.match(result.out, /webhook \d+ secret dbwh_/, 'a webhook subscribed, its secret shown');
  const hook = await desk.db.selectFrom('webhook_subscriptions').select(['url', 'enabled']).executeTakeFirstOrThrow();
  t.same(hook, { url: 'https://crm.example.com/deskbell', enabled: 0 }, 'and switched off');
});
