/** The slice of a pino logger the LLM code writes to (structured object first, then the message). */
export interface LlmLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

type SdkLogFn = (message: string, ...rest: unknown[]) => void;
export interface SdkLogger {
  error: SdkLogFn;
  warn: SdkLogFn;
  info: SdkLogFn;
  debug: SdkLogFn;
}

/**
 * The SDK's own log lines (warnings only; set through the client's logLevel) routed to ours. Only
 * the message is kept: the extra arguments can carry request details, which we never log.
 */
export function sdkLogger(logger: LlmLogger | undefined): SdkLogger {
  const drop: SdkLogFn = () => undefined;
  if (!logger) return { error: drop, warn: drop, info: drop, debug: drop };
  return {
    error: (message) => logger.warn({ source: 'anthropic-sdk' }, String(message)),
    warn: (message) => logger.warn({ source: 'anthropic-sdk' }, String(message)),
    info: drop,
    debug: drop,
  };
}
