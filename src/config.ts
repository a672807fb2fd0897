import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** `pretty`: one readable line per entry (a person at a terminal); `json`: pino's JSON lines. */
export type LogFormat = 'json' | 'pretty';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where uploaded files live (DATA_DIR/uploads), under generated names only. */
  uploadsDir: string;
  /** Which database, from DATABASE_URL: the SQLite file (the default) or a PostgreSQL server. */
  database: DatabaseConfig;
  /**
   * Path of the SQLite file (DATABASE_URL `sqlite:` form, or DATA_DIR/deskbell.db); the empty string
   * on PostgreSQL. What only works on a SQLite file asks `sqliteOnly(config, what)` instead.
   */
  databasePath: string;
  baseUrl: string;
  smtpUrl: string | null;
  smtpListen: string | null;
  mailDomain: string;
  imapUrl: string | null;
  secretKey: string;
  trustProxy: boolean;
  videoBaseUrl: string | null;
  logLevel: LogLevel;
  /** LOG_FORMAT, or when unset: pretty if stdout is a terminal, JSON otherwise (files, journald, pipes). */
  logFormat: LogFormat;
  /** NODE_ENV=development: templates are re-read on every render. */
  development: boolean;
  /** Cookies get `Secure` when the public address is https. */
  secureCookies: boolean;
  /** How many automatic pre-upgrade snapshots to keep (BACKUP_KEEP). */
  snapshotKeep: number;
  /** Tunables with sensible defaults; tests shorten them. */
  sessionTtlMs: number;
  jobPollMs: number;
  jobRetryBaseMs: number;
  /** How wrong passwords are slowed down (docs/security.md). */
  loginLimit: LoginPolicy;
  /** Variables set in the environment that also have an admin setting: the environment wins. */
  envOverrides: string[];
  /** Requests per API token (or signed-in person, or address) per window (docs/api.md); tests lower it. */
  apiRateLimit: { max: number; windowMs: number };
  /** WEBHOOKS_ALLOW_PRIVATE=true: webhooks may go to loopback, private and link-local addresses (fixes the admin setting). */
  webhooksAllowPrivate: boolean;
  /** How long a webhook delivery waits for its answer. */
  webhookTimeoutMs: number;
}

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  /**
   * `url` as given (it may hold a password: never log it); `poolSize` connections at most per process;
   * `preparedStatements` kept prepared per connection (src/db/pg-statements.ts; 0: none).
   */
  | { kind: 'postgres'; url: string; poolSize: number; preparedStatements: number };

export interface LoginPolicy {
  /** Wrong passwords for one account from one address before each further try has to wait. */
  freeFailures: number;
  /** That wait doubles from 2 s up to this. */
  maxDelayMs: number;
  /** How long one address's failures for an account are remembered (a correct password forgets them). */
  pairWindowMs: number;
  /** Wrong passwords for one account from anywhere, per `windowMs`, that pause its sign-in for `lockMs`. */
  perAccount: number;
  /** Wrong passwords from one address, per `windowMs`: high, since a whole office may share one address. */
  perIp: number;
  windowMs: number;
  lockMs: number;
}

/**
 * Nobody can lock a person out from one address; a guesser gets a few tries an hour per address,
 * and an account under attack from many addresses is paused for an hour, its holder told by mail.
 */
export const LOGIN_POLICY: LoginPolicy = {
  freeFailures: 5, maxDelayMs: 15 * 60_000, pairWindowMs: 24 * 3600_000,
  perAccount: 50, perIp: 200, windowMs: 3600_000, lockMs: 3600_000,
};

/** Environment variables that an admin screen could otherwise change. */
const SETTABLE_ENV = ['BASE_URL', 'WEBHOOKS_ALLOW_PRIVATE'];

export class ConfigError extends Error {}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: LogFormat[] = ['json', 'pretty'];

type Env = Record<string, string | undefined>;

/**
 * The only reader of process.env: everything else receives a Config. `terminal` says whether
 * stdout is a terminal (it picks the log format when LOG_FORMAT is unset).
 */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}, terminal = process.stdout.isTTY === true): Config {
  const dataDir = resolve(env.DATA_DIR || 'data');
  const port = parseInteger(env.PORT ?? '3000', 'PORT', 'a port number', 65535);
  const host = env.HOST || '127.0.0.1';
  const baseUrl = (env.BASE_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new ConfigError('BASE_URL must start with http:// or https://');
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = (env.LOG_FORMAT || (terminal ? 'pretty' : 'json')) as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) throw new ConfigError(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}, got "${env.LOG_FORMAT}"`);
  const database = databaseConfig(env.DATABASE_URL, env.DATABASE_POOL_SIZE, env.DATABASE_PREPARED_STATEMENTS, dataDir);
  const config: Config = {
    port,
    host,
    dataDir,
    uploadsDir: join(dataDir, 'uploads'),
    database,
    databasePath: database.kind === 'sqlite' ? database.path : '',
    baseUrl,
    smtpUrl: env.SMTP_URL || null,
    smtpListen: env.SMTP_LISTEN || null,
    mailDomain: env.MAIL_DOMAIN || new URL(baseUrl).hostname,
    imapUrl: env.IMAP_URL || null,
    secretKey: env.SECRET_KEY || '',
    trustProxy: env.TRUST_PROXY === 'true' || env.TRUST_PROXY === '1',
    videoBaseUrl: env.VIDEO_BASE_URL || null,
    logLevel,
    logFormat,
    snapshotKeep: parseInteger(env.BACKUP_KEEP ?? '5', 'BACKUP_KEEP', 'a whole number from 1 to 1000', 1000, 1),
    development: env.NODE_ENV === 'development',
    secureCookies: baseUrl.startsWith('https://'),
    sessionTtlMs: 14 * 24 * 3600_000,
    jobPollMs: parseInteger(env.JOB_POLL_MS ?? '1000', 'JOB_POLL_MS', 'milliseconds from 50 to 3600000', 3_600_000, 50),
    jobRetryBaseMs: 30_000,
    loginLimit: LOGIN_POLICY,
    envOverrides: SETTABLE_ENV.filter((name) => Boolean(env[name])),
    apiRateLimit: { max: 600, windowMs: 60_000 },
    webhooksAllowPrivate: env.WEBHOOKS_ALLOW_PRIVATE === 'true' || env.WEBHOOKS_ALLOW_PRIVATE === '1',
    webhookTimeoutMs: 10_000,
    ...overrides,
  };
  // On PostgreSQL the instances share one key, kept in the database (db/open.ts), unless SECRET_KEY is set.
  if (!config.secretKey && config.database.kind === 'sqlite') config.secretKey = persistentSecret(config.dataDir);
  return config;
}

function parseInteger(value: string, name: string, what: string, max: number, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be ${what}, got "${value}"`);
  return n;
}

/** DATABASE_URL: `sqlite:PATH` (the default: DATA_DIR/deskbell.db) or `postgres://` / `postgresql://`. */
function databaseConfig(url: string | undefined, poolSize: string | undefined, prepared: string | undefined, dataDir: string): DatabaseConfig {
  // Checked whatever the database, so that a typo never waits for the day the desk moves.
  const pool = parseInteger(poolSize ?? '10', 'DATABASE_POOL_SIZE', 'a whole number from 1 to 1000', 1000, 1);
  const preparedStatements = parseInteger(prepared ?? '200', 'DATABASE_PREPARED_STATEMENTS', 'a whole number from 0 to 10000', 10000);
  if (!url) return { kind: 'sqlite', path: join(dataDir, 'deskbell.db') };
  if (url.startsWith('sqlite:')) return { kind: 'sqlite', path: resolve(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')) };
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid postgres:// address');
    }
    if (!parsed.hostname && !parsed.searchParams.get('host')) throw new ConfigError('DATABASE_URL: postgres:// needs a host (postgres://user@host:5432/database)');
    return { kind: 'postgres', url, poolSize: pool, preparedStatements };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new ConfigError(`DATABASE_URL must start with sqlite: (a file) or postgres:// (a PostgreSQL server)${scheme ? `, got "${scheme}:"` : ''}`);
}

/**
 * The SQLite file's path, for what works on a file only (backup, restore, snapshots, demo data);
 * on PostgreSQL a clear refusal instead. `what` names the command, `instead` what to do there.
 */
export function sqliteOnly(config: Pick<Config, 'database'>, what: string, instead = 'use the tools of PostgreSQL itself'): string {
  if (config.database.kind === 'sqlite') return config.database.path;
  throw new ConfigError(`${what} works on a SQLite database only; this desk runs on PostgreSQL: ${instead}`);
}

/** SECRET_KEY unset: generate one on first start and keep it beside the data, never regenerate it. */
function persistentSecret(dataDir: string): string {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
