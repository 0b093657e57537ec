import winston from 'winston';
import { currentContext } from './request-context.js';

export type Logger = winston.Logger;

/** Keys whose values never reach a log line (tokens, SAML documents, keys, cookies). */
const SECRET_KEY = /(authorization|token|secret|password|cookie|samlresponse|samlrequest|assertion|private.?key|databaseurl)/i;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)([^:/@\s]+):([^@/\s]+)@/gi;

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(URL_CREDENTIALS, '$1$2:***@');
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

const contextFormat = winston.format((info) => {
  const ctx = currentContext();
  if (ctx) {
    info['requestId'] ??= ctx.requestId;
    if (ctx.actor !== undefined) info['actor'] ??= ctx.actor;
  }
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(info[key]);
  }
  if (typeof info.message === 'string') info.message = redact(info.message) as string;
  return info;
});

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  /** Extra transport for tests that assert on log lines. */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

/** JSON lines in production, readable lines in development (SPEC §6 Logs). */
export function createLogger(opts: LoggerOptions): Logger {
  const base = [winston.format.timestamp(), contextFormat()];
  const format =
    opts.format === 'json'
      ? winston.format.combine(...base, winston.format.json())
      : winston.format.combine(
          ...base,
          winston.format.colorize({ level: true }),
          winston.format.printf(({ level, message, timestamp, requestId, ...rest }) => {
            const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
            const rid = typeof requestId === 'string' ? ` [${requestId}]` : '';
            return `${String(timestamp)} ${level}${rid} ${String(message)}${extra}`;
          }),
        );
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn'] });
  return winston.createLogger({ level: opts.level, format, transports: [transport], silent: opts.silent ?? false });
}
