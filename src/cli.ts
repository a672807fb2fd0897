import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { issueInvitation } from './auth/auth.js';
import { allowPasswordCommand, resetTwoFactorCommand } from './cli-account.js';
import { ConfigError, loadConfig, sqliteOnly, type Config } from './config.js';
import { openDatabase } from './db/open.js';
import { DomainError, Invalid } from './lib/errors.js';
import { parseForm } from './lib/form.js';
import { backupDesk } from './ops/backup.js';
import { RestoreRefused, restoreDatabase, rollbackDatabase } from './ops/restore.js';
import { VERSION } from './version.js';
import { buildDemo } from './ops/demo.js';
import { startServer } from './serve.js';
import { ROLES } from './users/actor.js';
import { newPersonSchema } from './users/schemas.js';
import { addPerson } from './users/users.js';
import { findUserByEmail } from './users/queries.js';
import { Catalogue } from './i18n.js';
import { receiveFromStdin } from './mailin/pipe.js';
import { TOKEN_SCOPES, newTokenSchema } from './api/schemas.js';
import { createApiToken } from './api/tokens.js';
import { rebuildReports } from './reports/rebuild.js';
import { IMPORT_FORMATS, importCommand } from './import/command.js';
import type { ImportSource } from './import/schema.js';

export const USAGE = `Usage: deskbell <command> [options]

Commands:
  serve                                  run the web server (and the mail worker)
  migrate                                bring the database schema up to date (a snapshot of an existing
                                         database is kept in DATA_DIR/backups first)
  user add --email E --name N --role R [--password P]
                                         add a person (roles: admin, supervisor, agent, customer);
                                         without --password, print an invitation link
  user reset-2fa --email E               take a person's two-factor sign-in away (a lost phone, or the
                                         only admin locked out): audited, the person is told by mail
  user allow-password --email E [--off]  let this one person sign in with their password although a
                                         single sign-on provider took password sign-in away (a broken
                                         provider, an admin locked out): audited; --off withdraws it
  token create --email E --name N [--scope read|write]
                                         make a personal API token for that person (read-only unless
                                         --scope write) and print it: it is shown this once
  demo [--tickets N]                     add demo organisations, people and N tickets (default 200)
  backup FILE                            write a consistent copy of the database to FILE (safe while serving)
  restore FILE                           put FILE in place of the database (the server must be stopped;
                                         the current database is kept in DATA_DIR/backups first)
  rollback                               restore the newest pre-upgrade snapshot (server stopped)
  move-data --to postgres://… [--dry-run]
                                         copy this SQLite desk into an empty PostgreSQL database and
                                         compare the two (attachments stay in DATA_DIR); --dry-run
                                         checks both sides and reports what it would copy
  version, --version                     print Deskbell's version
  reports rebuild                        count every ticket's report figures again (after an upgrade, demo
                                         data, or a change of the site's time zone); safe while serving
  mail receive                           store one mail read from stdin (an MTA pipe); exit 0 stored or
                                         ignored, 65 not a mail, 75 try again later
  import zendesk|freshdesk|osticket|csv FILE... [--dry-run]
                                         import people, organisations, tickets, messages and files from
                                         another help desk's export (docs/import.md); a second run skips
                                         what is there; exit 1 when a row failed (each is printed)

Configuration comes from the environment (DATA_DIR, DATABASE_URL, BASE_URL, ...): see README.md.
`;

export class UsageError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Set when `err` writes to a terminal, of that width: progress bars are redrawn in place there. */
  errTerminal?: { columns: number };
  /** The whole of standard input (`mail receive`); process.stdin when absent. */
  stdin?: () => Promise<Buffer>;
}

/** Runs one command; resolves to the process exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], io: Io, configure: () => Config = () => loadConfig()): Promise<number> {
  try {
    return await dispatch(argv, io, configure);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`deskbell: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof Invalid) {
      const t = new Catalogue().translator();
      io.err(`deskbell: ${Object.entries(error.fields).map(([field, key]) => `--${field}: ${t(key)}`).join('; ')}\n`);
      return 1;
    }
    const message = error instanceof DomainError ? new Catalogue().translator()(error.message) : error instanceof Error ? error.message : String(error);
    io.err(`deskbell: ${message}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
}

async function dispatch(argv: string[], io: Io, configure: () => Config): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      parse(rest, {});
      await startServer(configure());
      return -1; // keeps running
    }
    case 'migrate': {
      parse(rest, {});
      const { db, applied, snapshot } = await openDatabase(configure());
      await db.destroy();
      if (snapshot) io.out(`Snapshot of the database before the upgrade: ${snapshot}\n`);
      io.out(applied.length ? `Applied ${applied.join(', ')}\n` : 'The database is up to date.\n');
      return 0;
    }
    case 'user': {
      const [sub, ...options] = rest;
      if (sub === 'reset-2fa') {
        const { values } = parse(options, { email: { type: 'string' } });
        if (!values.email) throw new UsageError('user reset-2fa needs --email');
        return resetTwoFactorCommand(values.email, io, configure);
      }
      if (sub === 'allow-password') {
        const { values } = parse(options, { email: { type: 'string' }, off: { type: 'boolean' } });
        if (!values.email) throw new UsageError('user allow-password needs --email');
        return allowPasswordCommand(values.email, values.off === true, io, configure);
      }
      if (sub !== 'add') throw new UsageError(sub ? `unknown user command "${sub}"` : 'user needs a command (add, reset-2fa, allow-password)');
      const { values } = parse(options, { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } });
      for (const key of ['email', 'name', 'role'] as const) if (!values[key]) throw new UsageError(`user add needs --${key}`);
      if (!(ROLES as readonly string[]).includes(values.role!)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const config = configure();
      const { db } = await openDatabase(config);
      try {
        const person = await addPerson(db, 'system', parseForm(newPersonSchema, values));
        if (person.state === 'active') {
          io.out(`Added ${values.email} (${values.role}). They can log in at ${config.baseUrl}/login\n`);
        } else {
          const token = await issueInvitation(db, person.id);
          io.out(`Invited ${values.email} (${values.role}). Send them this link to create a password (valid 7 days, works once):\n  ${config.baseUrl}/welcome?token=${token}\n`);
        }
      } finally {
        await db.destroy();
      }
      return 0;
    }
    case 'token': {
      const [sub, ...options] = rest;
      if (sub !== 'create') throw new UsageError(sub ? `unknown token command "${sub}"` : 'token needs a command (create)');
      return createTokenCommand(options, io, configure);
    }
    case 'demo': {
      const { values } = parse(rest, { tickets: { type: 'string' } });
      const tickets = values.tickets === undefined ? 200 : Number(values.tickets);
      if (!Number.isSafeInteger(tickets) || tickets < 0 || tickets > 10_000_000) throw new UsageError('--tickets must be a whole number from 0 to 10000000');
      const config = configure();
      const { db } = await openDatabase(config);
      try {
        const started = Date.now();
        const demo = await buildDemo(db, { tickets, databasePath: config.databasePath, progress: tickets >= 10_000 ? (line) => io.err(`${line}\n`) : undefined });
        io.out(`Demo data added: ${demo.tickets} tickets in ${((Date.now() - started) / 1000).toFixed(1)} s.\nLog in at ${config.baseUrl}/login with password ${demo.password} as:\n`);
        for (const login of demo.logins) io.out(`  ${login.role.padEnd(10)} ${login.email}\n`);
      } finally {
        await db.destroy();
      }
      return 0;
    }
    case 'reports': {
      const [sub, ...options] = rest;
      if (sub !== 'rebuild') throw new UsageError(sub ? `unknown reports command "${sub}"` : 'reports needs a command (rebuild)');
      parse(options, {});
      const { db } = await openDatabase(configure());
      try {
        const started = Date.now();
        const result = await rebuildReports(db, (done) => { if (done % 100_000 === 0) io.err(`${done} tickets\n`); });
        io.out(`Report figures rebuilt for ${result.tickets} tickets (days in ${result.timeZone}) in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
      } finally {
        await db.destroy();
      }
      return 0;
    }
    case 'mail': {
      const [sub, ...options] = rest;
      if (sub !== 'receive') throw new UsageError(sub ? `unknown mail command "${sub}"` : 'mail needs a command (receive)');
      parse(options, {});
      return receiveFromStdin(configure, io);
    }
    case 'import': {
      const { values, positionals } = parse(rest, { 'dry-run': { type: 'boolean' } }, true);
      const [format, ...files] = positionals;
      if (!format || !(IMPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`import needs a format: ${IMPORT_FORMATS.join(', ')}`);
      if (files.length === 0) throw new UsageError('import needs at least one FILE');
      return importCommand(format as ImportSource, files, values['dry-run'] === true, configure(), io);
    }
    case 'backup': {
      const { positionals } = parse(rest, {}, true);
      if (positionals.length !== 1) throw new UsageError('backup needs exactly one FILE');
      const { path } = await backupDesk(configure().database, positionals[0]!);
      io.out(`Backup written to ${path}\n`);
      return 0;
    }
    case 'move-data': {
      const { values } = parse(rest, { to: { type: 'string' }, 'dry-run': { type: 'boolean' } });
      if (!values.to) throw new UsageError('move-data needs --to postgres://user@host:port/database');
      if (!/^postgres(ql)?:\/\//.test(values.to)) throw new UsageError('--to must be a postgres:// address');
      // Loaded for this command only: it brings the PostgreSQL driver, which a SQLite desk's server never needs.
      const { moveData } = await import('./ops/move-data.js');
      return moveData(configure(), { to: values.to, dryRun: values['dry-run'] === true, out: io.out, err: io.err, terminal: io.errTerminal });
    }
    case 'restore':
    case 'rollback': {
      const { positionals } = parse(rest, {}, true);
      if (command === 'restore' && positionals.length !== 1) throw new UsageError('restore needs exactly one FILE');
      if (command === 'rollback' && positionals.length !== 0) throw new UsageError('rollback takes no arguments');
      const config = configure();
      sqliteOnly(config, `deskbell ${command}`, 'restore a pg_dump backup with pg_restore (docs/backups.md)');
      try {
        const result = command === 'restore'
          ? restoreDatabase(config.databasePath, config.dataDir, positionals[0]!, config.snapshotKeep)
          : rollbackDatabase(config.databasePath, config.dataDir, config.snapshotKeep);
        if (result.previous) io.out(`The database as it was is kept in ${result.previous}\n`);
        io.out(`Restored ${result.restored} to ${config.databasePath}\n`);
      } catch (error) {
        if (!(error instanceof RestoreRefused)) throw error;
        io.err(`deskbell: ${error.message}\n`);
        return 1;
      }
      return 0;
    }
    case 'version':
    case '--version':
    case '-v':
      parse(rest, {});
      io.out(`deskbell ${VERSION} (Node.js ${process.versions.node})\n`);
      return 0;
    case undefined:
    case '--help':
    case 'help':
      if (command === undefined) throw new UsageError('no command given');
      io.out(USAGE);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** `token create --email E --name N [--scope read|write]`: a token for provisioning scripts, printed once. */
async function createTokenCommand(options: string[], io: Io, configure: () => Config): Promise<number> {
  const { values } = parse(options, { email: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string' } });
  for (const key of ['email', 'name'] as const) if (!values[key]) throw new UsageError(`token create needs --${key}`);
  if (values.scope !== undefined && !(TOKEN_SCOPES as readonly string[]).includes(values.scope)) throw new UsageError('--scope must be read or write');
  const { db } = await openDatabase(configure());
  try {
    const person = await findUserByEmail(db, values.email!.trim().toLowerCase());
    if (!person) {
      io.err(`deskbell: nobody has the address ${values.email}\n`);
      return 1;
    }
    if (person.state !== 'active') {
      io.err(`deskbell: ${person.email} is not active (${person.state}): a token would not work\n`);
      return 1;
    }
    const { token } = await createApiToken(db, null, person.id, parseForm(newTokenSchema, { name: values.name, scope: values.scope ?? 'read' }));
    io.out(`${token}\n`);
    return 0;
  } finally {
    await db.destroy();
  }
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), errTerminal: process.stderr.isTTY ? { columns: process.stderr.columns } : undefined })
    .then((code) => { if (code >= 0) process.exitCode = code; });
}
