import type { Config } from './config.js';

/**
 * Fastify's logger options for the configured format. `json` is pino's own JSON lines on stdout.
 * `pretty` is one line a person can read (`12:04:31.082 INFO: incoming request GET /login (req-id)`),
 * written by pino-pretty as a plain synchronous stream in this process: no transport, so no worker
 * thread and no module lookup at run time, which the single executable could not do, and nothing
 * is lost when the process exits right after a line. pino-pretty is loaded only for that format.
 */
export async function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>): Promise<object> {
  if (config.logFormat === 'json') return { level: config.logLevel };
  const { default: pretty } = await import('pino-pretty');
  return {
    level: config.logLevel,
    stream: pretty({
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      singleLine: true,
      // Shown in the message itself (below), or noise on one machine (pid, host name).
      ignore: 'pid,hostname,reqId,req,res,responseTime',
      messageFormat,
    }),
  };
}

/** Fastify's request lines name the request in words: method and path, then status and time. */
function messageFormat(log: Record<string, unknown>, messageKey: string): string {
  let text = String(log[messageKey] ?? '');
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  if (req?.method) text += ` ${req.method} ${req.url ?? ''}`;
  if (res?.statusCode) text += ` ${res.statusCode}`;
  if (typeof log.responseTime === 'number') text += ` in ${log.responseTime.toFixed(1)} ms`;
  if (typeof log.reqId === 'string') text += ` (${log.reqId})`;
  return text;
}
