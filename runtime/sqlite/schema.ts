import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from '../errors.js';

/** The schema version this library writes and reads (kept in SQLite's `user_version`). */
export const SQLITE_SCHEMA_VERSION = 1;

/** The database was written by a newer version of this library (or is not one of its databases). */
export class SqliteSchemaVersionError extends StoreError {
  constructor(
    readonly filename: string,
    readonly foundVersion: number,
    readonly supportedVersion: number = SQLITE_SCHEMA_VERSION,
  ) {
    super(
      `SQLite database ${JSON.stringify(filename)} has schema version ${foundVersion}; ` +
        `this version of event-sourced-rules-engine supports up to ${supportedVersion}. ` +
        'Upgrade the library, or open a different file.',
    );
  }
}

/**
 * Version 1. Every row keeps its JSON body (written with the runtime's codec, so dates survive)
 * next to the key columns it is looked up by.
 */
const VERSION_1 = `
CREATE TABLE IF NOT EXISTS esre_snapshots (
  aggregate_type TEXT NOT NULL,
  aggregate_id   TEXT NOT NULL,
  sequence       INTEGER NOT NULL,
  body           TEXT NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS esre_events (
  aggregate_type TEXT NOT NULL,
  aggregate_id   TEXT NOT NULL,
  sequence       INTEGER NOT NULL,
  body           TEXT NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id, sequence)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS esre_index_entries (
  aggregate_type TEXT NOT NULL,
  index_name     TEXT NOT NULL,
  index_key      TEXT NOT NULL,
  aggregate_id   TEXT NOT NULL,
  body           TEXT NOT NULL,
  PRIMARY KEY (aggregate_type, index_name, index_key, aggregate_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS esre_outbox (
  position_in_store INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id          TEXT NOT NULL UNIQUE,
  aggregate_type    TEXT NOT NULL,
  aggregate_id      TEXT NOT NULL,
  body              TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS esre_idempotency (
  aggregate_type  TEXT NOT NULL,
  aggregate_id    TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  body            TEXT NOT NULL,
  PRIMARY KEY (aggregate_type, aggregate_id, idempotency_key)
) WITHOUT ROWID;
`;

/**
 * Reads the file's schema version and throws {@link SqliteSchemaVersionError} when it is newer
 * than {@link SQLITE_SCHEMA_VERSION}. Only reads: called before anything is changed.
 */
export function checkSchemaVersion(db: BetterSqlite3.Database, filename: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SQLITE_SCHEMA_VERSION) throw new SqliteSchemaVersionError(filename, version);
  return version;
}

/**
 * Brings a freshly opened database to {@link SQLITE_SCHEMA_VERSION}: creates the tables of an
 * empty file in one transaction, leaves a current one alone, and refuses a newer one.
 */
export function migrate(db: BetterSqlite3.Database, filename: string): void {
  const run = db.transaction(() => {
    const version = checkSchemaVersion(db, filename);
    if (version === SQLITE_SCHEMA_VERSION) return;
    db.exec(VERSION_1);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  });
  run.immediate();
}
