/**
 * The local platform's own console output (not the handlers' structured logs, which Powertools
 * writes). Tests pass {@link silentLog} to keep their output clean.
 */
export interface LocalLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: Error): void;
}

export const consoleLog: LocalLog = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(`warn: ${message}`),
  error: (message, error) => console.error(`error: ${message}`, ...(error?.stack ? [`\n${error.stack}`] : [])),
};

export const silentLog: LocalLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
