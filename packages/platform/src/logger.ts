import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/** `json`: one JSON object a line (production, log collectors); `pretty`: for a person. */
export type LogFormat = 'json' | 'pretty';

/** Pretty in a terminal outside production, JSON elsewhere (pipes, files, containers). */
export function defaultLogFormat(): LogFormat {
  return process.stdout.isTTY && process.env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

/**
 * The root logger. `service` names the process's service, when it runs one; a process running
 * several (`pnpm start`) leaves it out and gives each service's child its own.
 */
export function createLogger(
  service: string | undefined,
  level = 'info',
  format: LogFormat = defaultLogFormat(),
  /** Where lines go: standard output unless given (tests). */
  destination?: NodeJS.WritableStream,
): Logger {
  const options: pino.LoggerOptions = { level, base: service ? { service } : {} };
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  return pino(
    options,
    pretty({
      sync: true,
      ...(destination ? { destination } : {}),
      colorize: Boolean(process.stdout.isTTY) && destination === undefined,
      translateTime: 'SYS:HH:MM:ss',
      // An access line reads `GET /v1/… 200 3ms`; other lines keep their fields after the message.
      ignore: 'pid,hostname,requestId,service,method,path,status,ms',
      messageFormat: (log, key) => {
        const where = log.service ? `[${log.service}] ` : '';
        return log[key] === 'request'
          ? `${where}${log.method} ${log.path} ${log.status} ${log.ms}ms`
          : `${where}${log[key]}`;
      },
      singleLine: true,
    }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
