/**
 * event-sourced-rules-engine/sqlite: an EventStore in one SQLite file (better-sqlite3 12, an
 * optional peer dependency). Only this subpath loads better-sqlite3.
 */
export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store.js';
export { SqliteSchemaVersionError, SQLITE_SCHEMA_VERSION } from './schema.js';
export { CorruptRecordError, InvalidKeyError, InvalidOptionError, UnsupportedValueError } from '../errors.js';
