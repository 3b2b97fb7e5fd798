/**
 * The lock file, `esre.lock.json` next to the config: what the generated code was built from
 * (per aggregate: each inbound event's payload JSON Schema per version, the state schema and
 * its version, each outbound event's schema and its registry version). `esre generate` and
 * `esre check` compare the current schemas with it and refuse incompatible changes; `esre
 * generate` writes the updated lock. Commit it with the project.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Compatibility, type SchemaChange, canonical, compareSchemas } from './compatibility.js';
import type { ResolvedConfig } from './config.js';
import { CompilerError } from './errors.js';
import type { JsonSchema } from './json-schema.js';
import type { AggregateModel, Model } from './model.js';

/** File name of the lock, in the config file's folder. */
export const LOCK_FILE_NAME = 'esre.lock.json';

/** The lock of one aggregate. */
export interface AggregateLock {
  /** The aggregate's name in its schema module. */
  readonly name: string;
  readonly stateVersion: number;
  readonly rulesVersion: number;
  /** JSON Schema of the state, as stored in snapshots. */
  readonly state: JsonSchema;
  /** Inbound event type → version (`"1"`, `"2"`, ...) → payload JSON Schema (as created). */
  readonly inbound: Readonly<Record<string, Readonly<Record<string, JsonSchema>>>>;
  /** Outbound event type → its registry version (bumped on every change) and payload JSON Schema (as sent). */
  readonly outbound: Readonly<Record<string, { readonly version: number; readonly schema: JsonSchema }>>;
}

/** The whole lock file. */
export interface Lock {
  readonly $comment?: string;
  readonly lockfileVersion: 1;
  /** Aggregate type (`ACCOUNT`) → its lock. */
  readonly aggregates: Readonly<Record<string, AggregateLock>>;
}

/** The lock file is unreadable (not JSON, or not a lock). */
export class LockFileError extends CompilerError {}

/** One finding of {@link evolve}: where, what, and (for a failure) how to fix it. */
export interface EvolutionFinding {
  readonly severity: SchemaChange['severity'];
  readonly aggregate: string;
  readonly direction: 'inbound' | 'outbound' | 'state';
  /** Event type; absent for the state. */
  readonly event?: string;
  /** Inbound version the finding is about. */
  readonly version?: number;
  /** Field path; `""` for the whole payload, state or event. */
  readonly path: string;
  readonly change: string;
  /** The whole message, as printed. */
  readonly message: string;
}

/** Schemas changed incompatibly: nothing was written. */
export class IncompatibleSchemaError extends CompilerError {
  constructor(readonly findings: readonly EvolutionFinding[]) {
    super(
      `${findings.length} incompatible schema change${findings.length === 1 ? '' : 's'} since ${LOCK_FILE_NAME} (nothing was written):\n` +
        findings.map((finding) => `  ${finding.message}`).join('\n'),
    );
  }
}

/** Where the lock of a project lives. */
export function lockFilePath(config: ResolvedConfig): string {
  return path.join(config.root, LOCK_FILE_NAME);
}

/** Reads the lock; undefined when there is none yet (the first run locks what it finds). */
export function readLock(config: ResolvedConfig): Lock | undefined {
  const file = lockFilePath(config);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LockFileError(`${LOCK_FILE_NAME} is not valid JSON (${(error as Error).message}); restore it from version control`);
  }
  const lock = parsed as Partial<Lock> | null;
  if (!lock || typeof lock !== 'object' || lock.lockfileVersion !== 1 || typeof lock.aggregates !== 'object' || lock.aggregates === null) {
    throw new LockFileError(`${LOCK_FILE_NAME} is not an esre lock file (lockfileVersion 1 with aggregates); restore it from version control`);
  }
  return lock as Lock;
}

/**
 * Compares the model with the previous lock and builds the new one. Findings of severity
 * `breaking` or `unknown` must stop the run; `warning`s are reported.
 */
export function evolve(model: Model, previous: Lock | undefined, comment: string): { lock: Lock; findings: EvolutionFinding[] } {
  const findings: EvolutionFinding[] = [];
  const aggregates: Record<string, AggregateLock> = {};
  for (const aggregate of model.aggregates) {
    const before = previous?.aggregates[aggregate.type];
    aggregates[aggregate.type] = lockAggregate(aggregate, before, findings);
  }
  for (const type of Object.keys(previous?.aggregates ?? {}).sort()) {
    if (aggregates[type]) continue;
    const name = previous!.aggregates[type]!.name;
    const change = `aggregate type ${type} removed from the schema modules (its lock entry is dropped)`;
    findings.push({ severity: 'warning', aggregate: name, direction: 'state', path: '', change, message: `aggregate ${name}: ${change}` });
  }
  return { lock: { $comment: comment, lockfileVersion: 1, aggregates }, findings };
}

/** The lock file's text: two-space JSON with a final newline. */
export function lockText(lock: Lock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

function lockAggregate(aggregate: AggregateModel, before: AggregateLock | undefined, findings: EvolutionFinding[]): AggregateLock {
  const at = { aggregate: aggregate.name };
  if (before) {
    if (aggregate.stateVersion < before.stateVersion) {
      findings.push(
        finding('breaking', { ...at, direction: 'state', path: '' }, `stateVersion went down from ${before.stateVersion} to ${aggregate.stateVersion}`, `set stateVersion back to ${before.stateVersion} or higher`),
      );
    } else if (aggregate.stateVersion === before.stateVersion) {
      for (const change of compareSchemas(before.state, aggregate.stateJsonSchema, 'backward')) {
        findings.push(fromChange(change, { ...at, direction: 'state' }, stateFix(before.stateVersion)));
      }
    }
    for (const type of Object.keys(before.inbound).sort()) {
      const event = aggregate.inbound.find((candidate) => candidate.type === type);
      const lockedVersions = before.inbound[type]!;
      if (!event) {
        findings.push(
          finding(
            'warning',
            { ...at, direction: 'inbound', event: type, path: '' },
            `event removed: stored ${type} events can no longer be replayed (recalculate, rebuilt snapshots) unless the aggregate ignores unknown event types; keep it in inbound if any were stored`,
          ),
        );
        continue;
      }
      for (const number of Object.keys(lockedVersions).sort((a, b) => Number(a) - Number(b))) {
        const version = Number(number);
        const current = event.versions.find((candidate) => candidate.version === version);
        const where = { ...at, direction: 'inbound' as const, event: type, version };
        if (!current) {
          findings.push(
            finding('breaking', { ...where, path: '' }, `version ${version} removed (events stored as version ${version} could no longer be read)`, `keep the schema of every version in versioned({ 1: ..., ${version}: ... })`),
          );
          continue;
        }
        for (const change of compareSchemas(lockedVersions[number]!, current.jsonSchema, 'backward')) {
          findings.push(fromChange(change, where, inboundFix(type, event.version, version, change)));
        }
      }
    }
    for (const type of Object.keys(before.outbound).sort()) {
      const event = aggregate.outbound.find((candidate) => candidate.type === type);
      const where = { ...at, direction: 'outbound' as const, event: type };
      if (!event) {
        findings.push(finding('warning', { ...where, path: '' }, 'event removed (consumers no longer receive it)'));
        continue;
      }
      for (const change of compareSchemas(before.outbound[type]!.schema, event.jsonSchema, 'forward')) {
        findings.push(fromChange(change, where, OUTBOUND_FIX));
      }
    }
  }
  const inbound: Record<string, Record<string, JsonSchema>> = {};
  for (const event of aggregate.inbound) {
    inbound[event.type] = Object.fromEntries(event.versions.map((version) => [String(version.version), version.jsonSchema]));
  }
  const outbound: Record<string, { version: number; schema: JsonSchema }> = {};
  for (const event of aggregate.outbound) {
    const locked = before?.outbound[event.type];
    const changed = locked !== undefined && canonical(locked.schema) !== canonical(event.jsonSchema);
    outbound[event.type] = { version: locked === undefined ? 1 : locked.version + (changed ? 1 : 0), schema: event.jsonSchema };
  }
  return {
    name: aggregate.name,
    stateVersion: aggregate.stateVersion,
    rulesVersion: aggregate.rulesVersion,
    state: aggregate.stateJsonSchema,
    inbound,
    outbound,
  };
}

const OUTBOUND_FIX = 'make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type';

function inboundFix(type: string, current: number, broken: number, change: SchemaChange): string {
  if (broken < current) return `keep the schema of version ${broken} as it was (events stored as version ${broken} are read with it, then upcast)`;
  // Stored payloads are never parsed again, so a default reaches old events only through the upcaster.
  const fills = change.unstoredDefault ? ` so that it sets ${change.path} to its default ${JSON.stringify(change.unstoredDefault.value)}` : '';
  return `keep this schema as version ${broken} and add the new one as version ${broken + 1}: ${type}: versioned({ ${broken === 1 ? '' : '..., '}${broken}: <schema as it was>, ${broken + 1}: <new schema> }), then implement the upcaster esre generate creates${fills}; or make a compatible change`;
}

function stateFix(locked: number): string {
  return `bump stateVersion to ${locked + 1} in defineAggregate (stored snapshots are then rebuilt from history), or make a compatible change`;
}

type Where = Pick<EvolutionFinding, 'aggregate' | 'direction' | 'event' | 'version'>;

const CONSEQUENCE: Record<Compatibility | 'state', string> = {
  backward: 'events stored before could no longer be read',
  forward: 'consumers still holding the old schema would misread new events',
  state: 'stored snapshots could no longer be read',
};

function fromChange(change: SchemaChange, where: Where, fix: string): EvolutionFinding {
  const consequence = where.direction === 'state' ? CONSEQUENCE.state : where.direction === 'inbound' ? CONSEQUENCE.backward : CONSEQUENCE.forward;
  const text = change.severity === 'warning' ? change.change : `${change.change} (${change.severity === 'unknown' ? 'possible break' : 'breaking'}: ${consequence})`;
  return finding(change.severity, { ...where, path: change.path }, text, change.severity === 'warning' ? undefined : fix);
}

function finding(severity: SchemaChange['severity'], where: Where & { path: string }, change: string, fix?: string): EvolutionFinding {
  const subject =
    where.direction === 'state'
      ? 'state'
      : `${where.direction} event ${where.event}${where.version === undefined ? '' : ` version ${where.version}`}`;
  const field = where.path === '' ? '' : `, field ${where.path}`;
  const message = `aggregate ${where.aggregate}, ${subject}${field}: ${change}${fix ? `. Fix: ${fix}.` : ''}`;
  return { severity, ...where, change, message };
}
