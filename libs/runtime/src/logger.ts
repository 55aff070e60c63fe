import pino, { type Logger } from 'pino';

/** Structured JSON logs (pino) with the service name on every line. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, base: { service, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger } from 'pino';
