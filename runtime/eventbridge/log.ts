/** One structured log entry: a JSON object with at least a level and a message. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly [field: string]: unknown;
}

/** Receives structured log entries. */
export type Logger = (entry: LogEntry) => void;

/** Writes each entry as one line of JSON on stdout (CloudWatch Logs keeps it as one event). */
export const jsonLineLogger: Logger = (entry) => {
  console.log(JSON.stringify({ timestamp: new Date().toISOString(), ...entry }));
};
