import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { tempDir } from '../helpers/app.js';
import { freePort } from './helpers.js';

export const DOVECOT = '/usr/sbin/dovecot';

export interface Dovecot {
  port: number;
  user: string;
  pass: string;
  /** Where an MDA would drop new mail for the user (Maildir/new). */
  deliver(name: string, raw: Buffer): void;
  /** Names of the user's messages in Maildir/cur with their flags (S = \Seen). */
  seenFlags(): string[];
}

/**
 * Debian's dovecot-imapd on a free loopback port, with its own configuration, users and Maildir in
 * a temporary directory (no system configuration touched), stopped when the test ends.
 */
export async function startDovecot(t: Test): Promise<Dovecot> {
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: apt-get install dovecot-imapd (the IMAP tests need a real server)`);
  const dir = tempDir(t, 'deskbell-dovecot-');
  const port = await freePort();
  const home = join(dir, 'home', 'desk');
  for (const sub of ['run', 'state', 'home']) mkdirSync(join(dir, sub), { recursive: true });
  const root = process.getuid?.() === 0;
  // Dovecot never touches mail as root: as root, the mail belongs to its `dovecot` user.
  const uid = root ? Number(execFileSync('id', ['-u', 'dovecot'], { encoding: 'utf8' }).trim()) : process.getuid!();
  const gid = root ? Number(execFileSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).trim()) : process.getgid!();
  // Dovecot will not run its login process as root: as root, its package's own users (they must
  // be able to reach the run directory); otherwise, everything as ourselves.
  const self = userInfo().username;
  const [internalUser, loginUser] = root ? ['dovecot', 'dovenull'] : [self, self];
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'users'), 'desk:{PLAIN}desk-password\n');
  writeFileSync(join(dir, 'dovecot.conf'), `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internalUser}
default_login_user = ${loginUser}
first_valid_uid = 0
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`);
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
  t.teardown(() => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  }));
  await waitForPort(port, () => `${output}\n${existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : ''}`);
  const maildir = join(home, 'Maildir');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  for (const path of [join(dir, 'home'), join(dir, 'home', 'desk'), maildir, ...['new', 'cur', 'tmp'].map((s) => join(maildir, s))]) chmodSync(path, 0o777);
  return {
    port, user: 'desk', pass: 'desk-password',
    deliver: (name, raw) => writeFileSync(join(maildir, 'new', `${Date.now()}.${name}.deskbell-test`), raw),
    seenFlags: () => readdir(join(maildir, 'cur')),
  };
}

function readdir(path: string): string[] {
  return existsSync(path) ? readdirSync(path).sort() : [];
}

async function waitForPort(port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not start on port ${port}:\n${log()}`);
}
