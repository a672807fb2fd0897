import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Where uploaded files live (DATA_DIR/uploads), under generated names only. */
  uploadsDir: string;
  /** Path of the SQLite file (DATABASE_URL `sqlite:` form, or DATA_DIR/deskbell.db). */
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
  loginLimit: { perAccount: number; perIp: number; windowMs: number };
  /** Variables set in the environment that also have an admin setting: the environment wins. */
  envOverrides: string[];
}

/** Environment variables that an admin screen could otherwise change. */
const SETTABLE_ENV = ['BASE_URL'];

export class ConfigError extends Error {}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** The only reader of process.env: everything else receives a Config. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const dataDir = resolve(env.DATA_DIR || 'data');
  const port = parseInteger(env.PORT ?? '3000', 'PORT', 'a port number', 65535);
  const host = env.HOST || '127.0.0.1';
  const baseUrl = (env.BASE_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new ConfigError('BASE_URL must start with http:// or https://');
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const config: Config = {
    port,
    host,
    dataDir,
    uploadsDir: join(dataDir, 'uploads'),
    databasePath: databasePath(env.DATABASE_URL, dataDir),
    baseUrl,
    smtpUrl: env.SMTP_URL || null,
    smtpListen: env.SMTP_LISTEN || null,
    mailDomain: env.MAIL_DOMAIN || new URL(baseUrl).hostname,
    imapUrl: env.IMAP_URL || null,
    secretKey: env.SECRET_KEY || '',
    trustProxy: env.TRUST_PROXY === 'true' || env.TRUST_PROXY === '1',
    videoBaseUrl: env.VIDEO_BASE_URL || null,
    logLevel,
    snapshotKeep: parseInteger(env.BACKUP_KEEP ?? '5', 'BACKUP_KEEP', 'a whole number from 1 to 1000', 1000, 1),
    development: env.NODE_ENV === 'development',
    secureCookies: baseUrl.startsWith('https://'),
    sessionTtlMs: 14 * 24 * 3600_000,
    jobPollMs: 1000,
    jobRetryBaseMs: 30_000,
    loginLimit: { perAccount: 5, perIp: 20, windowMs: 15 * 60_000 },
    envOverrides: SETTABLE_ENV.filter((name) => Boolean(env[name])),
    ...overrides,
  };
  if (!config.secretKey) config.secretKey = persistentSecret(config.dataDir);
  return config;
}

function parseInteger(value: string, name: string, what: string, max: number, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be ${what}, got "${value}"`);
  return n;
}

function databasePath(url: string | undefined, dataDir: string): string {
  if (!url) return join(dataDir, 'deskbell.db');
  if (url.startsWith('sqlite:')) return resolve(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
  throw new ConfigError('DATABASE_URL: only sqlite:PATH is supported in this version (PostgreSQL is planned)');
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
