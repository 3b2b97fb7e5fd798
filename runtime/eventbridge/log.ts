/** One structured log entry: a JSON object with at least a level and a message. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly [field: string]: unknown;
}

/** Receives structured log entries. */
export type Logger = (entry: LogEntry) => void;

/**
 * Writes each entry as one line of JSON straight to stdout: in Lambda, CloudWatch Logs keeps
 * the line as it is (no text prefix), so Logs Insights can query its fields.
 */
export const jsonLineLogger: Logger = (entry) => {
  process.stdout.write(`${JSON.stringify({ timestamp: new Date().toISOString(), ...entry })}\n`);
};
