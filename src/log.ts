import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON lines on stderr (fd 2), never mixed with the report on stdout. Untrusted network text is only ever logged
 * under a field, never as a binding or message template.
 */
export function createLogger(level: LogLevel, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level, base: { name: 'vouch' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
