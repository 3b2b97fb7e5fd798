import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import * as z3 from 'zod/v3';
import { jsonSchemaConverters, toJsonSchema } from '../compiler/json-schema.js';
import { type Lock, evolve } from '../compiler/lock.js';
import type { AggregateModel, Model } from '../compiler/model.js';
import { REPO } from './compiler.support.js';

/**
 * The golden corpus of schema changes: each row is a payload (or state) schema before and
 * after an edit, and what `esre generate` / `esre check` say about it: `compatible` (no
 * message), a warning, or the exact message of the breaking change.
 */
type Direction = 'inbound' | 'outbound' | 'state';
interface Row {
  readonly change: string;
  readonly direction: Direction;
  readonly before: unknown;
  readonly after: unknown;
  /** Breaking (or possibly breaking) messages, exactly as printed; `[]` when compatible. */
  readonly errors: readonly string[];
  readonly warnings?: readonly string[];
}

const corpus: Row[] = [
  { change: 'optional field added', direction: 'inbound', before: z.object({ amount: z.number() }), after: z.object({ amount: z.number(), note: z.string().optional() }), errors: [] },
  { change: 'required field added without a default', direction: 'inbound', before: z.object({ amount: z.number() }), after: z.object({ amount: z.number(), currency: z.string() }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field currency: required field added without a default (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'required field added with a default (events stored before do not have it: reads do not parse them again)', direction: 'inbound', before: z.object({ amount: z.number() }), after: z.object({ amount: z.number(), currency: z.string().default('EUR') }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field currency: required field added with a default, which stored data does not get (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates so that it sets currency to its default "EUR"; or make a compatible change.',
    ] },
  { change: 'required field added with a default, zod 3', direction: 'inbound', before: z3.z.object({ amount: z3.z.number() }), after: z3.z.object({ amount: z3.z.number(), count: z3.z.number().default(0) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field count: required field added with a default, which stored data does not get (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates so that it sets count to its default 0; or make a compatible change.',
    ] },
  { change: 'nested required field added with a default', direction: 'inbound', before: z.object({ owner: z.object({ name: z.string() }) }), after: z.object({ owner: z.object({ name: z.string(), tier: z.enum(['basic', 'gold']).default('basic') }) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field owner.tier: required field added with a default, which stored data does not get (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates so that it sets owner.tier to its default "basic"; or make a compatible change.',
    ] },
  { change: 'optional field given a default (events stored without it still lack it)', direction: 'inbound', before: z.object({ note: z.string().optional() }), after: z.object({ note: z.string().default('') }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field note: optional field given a default, which stored data does not get (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates so that it sets note to its default ""; or make a compatible change.',
    ] },
  { change: 'default value changed (stored events hold the value they were given)', direction: 'inbound', before: z.object({ currency: z.string().default('EUR') }), after: z.object({ currency: z.string().default('USD') }), errors: [] },
  { change: 'field removed', direction: 'inbound', before: z.object({ amount: z.number(), note: z.string() }), after: z.object({ amount: z.number() }), errors: [], warnings: ['aggregate account, inbound event MONEY_DEPOSITED version 1, field note: field removed (stored values of it are ignored)'] },
  { change: 'type changed', direction: 'inbound', before: z.object({ amount: z.number() }), after: z.object({ amount: z.string() }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field amount: type changed from number to string (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'optional field made required', direction: 'inbound', before: z.object({ note: z.string().optional() }), after: z.object({ note: z.string() }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field note: optional field made required (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'required field made optional', direction: 'inbound', before: z.object({ note: z.string() }), after: z.object({ note: z.string().optional() }), errors: [] },
  { change: 'enum value removed', direction: 'inbound', before: z.object({ channel: z.enum(['atm', 'branch', 'online']) }), after: z.object({ channel: z.enum(['atm', 'online']) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field channel: enum value "branch" removed (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'enum value added', direction: 'inbound', before: z.object({ channel: z.enum(['atm', 'online']) }), after: z.object({ channel: z.enum(['atm', 'branch', 'online']) }), errors: [] },
  { change: 'literal value changed', direction: 'inbound', before: z.object({ kind: z.literal('cash') }), after: z.object({ kind: z.literal('card') }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field kind: literal value "cash" removed (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'minimum length narrowed', direction: 'inbound', before: z.object({ reference: z.string().min(1) }), after: z.object({ reference: z.string().min(5) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field reference: constraint narrowed: minLength 1 → 5 (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'maximum length narrowed', direction: 'inbound', before: z.object({ reference: z.string().max(100) }), after: z.object({ reference: z.string().max(20) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field reference: constraint narrowed: maxLength 100 → 20 (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'lower bound widened (positive to nonnegative)', direction: 'inbound', before: z.object({ amount: z.number().positive() }), after: z.object({ amount: z.number().nonnegative() }), errors: [] },
  { change: 'lower bound narrowed (nonnegative to positive)', direction: 'inbound', before: z.object({ amount: z.number().nonnegative() }), after: z.object({ amount: z.number().positive() }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field amount: constraint narrowed: lower bound >= 0 → > 0 (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'integer widened to number', direction: 'inbound', before: z.object({ count: z.number().int() }), after: z.object({ count: z.number() }), errors: [] },
  { change: 'number narrowed to integer', direction: 'inbound', before: z.object({ count: z.number() }), after: z.object({ count: z.number().int() }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field count: type changed from number to integer (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'nullable made non-nullable', direction: 'inbound', before: z.object({ note: z.string().nullable() }), after: z.object({ note: z.string() }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field note: nullable made non-nullable (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'made nullable', direction: 'inbound', before: z.object({ note: z.string() }), after: z.object({ note: z.string().nullable() }), errors: [] },
  { change: 'nested field type changed', direction: 'inbound', before: z.object({ owner: z.object({ email: z.string() }) }), after: z.object({ owner: z.object({ email: z.number() }) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field owner.email: type changed from string to number (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'array element type changed', direction: 'inbound', before: z.object({ tags: z.array(z.string()) }), after: z.object({ tags: z.array(z.number()) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field tags[]: type changed from string to number (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'record value type changed', direction: 'inbound', before: z.object({ limits: z.record(z.string(), z.number()) }), after: z.object({ limits: z.record(z.string(), z.string()) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field limits.*: type changed from number to string (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'format added to a string', direction: 'inbound', before: z.object({ at: z.string() }), after: z.object({ at: z.iso.datetime() }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field at: constraint narrowed: format none → "date-time" (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'tuple element changed (prefixItems: not understood)', direction: 'inbound', before: z.object({ point: z.tuple([z.number(), z.number()]) }), after: z.object({ point: z.tuple([z.number(), z.string()]) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field point: "prefixItems" changed, which the check does not understand (possible break: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'union alternative removed', direction: 'inbound', before: z.object({ by: z.discriminatedUnion('kind', [z.object({ kind: z.literal('card'), last4: z.string() }), z.object({ kind: z.literal('cash') })]) }), after: z.object({ by: z.discriminatedUnion('kind', [z.object({ kind: z.literal('card'), last4: z.string() })]) }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field by: union alternative { kind: "cash" } removed (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'union alternative added', direction: 'inbound', before: z.object({ by: z.discriminatedUnion('kind', [z.object({ kind: z.literal('card'), last4: z.string() }), z.object({ kind: z.literal('cash') })]) }), after: z.object({ by: z.discriminatedUnion('kind', [z.object({ kind: z.literal('card'), last4: z.string() }), z.object({ kind: z.literal('cash') }), z.object({ kind: z.literal('transfer'), iban: z.string() })]) }), errors: [] },
  { change: 'zod/v3: type changed', direction: 'inbound', before: z3.z.object({ amount: z3.z.number() }), after: z3.z.object({ amount: z3.z.boolean() }), errors: [
      'aggregate account, inbound event MONEY_DEPOSITED version 1, field amount: type changed from number to boolean (breaking: events stored before could no longer be read). Fix: keep this schema as version 1 and add the new one as version 2: MONEY_DEPOSITED: versioned({ 1: <schema as it was>, 2: <new schema> }), then implement the upcaster esre generate creates; or make a compatible change.',
    ] },
  { change: 'zod/v3: made nullable', direction: 'inbound', before: z3.z.object({ note: z3.z.string() }), after: z3.z.object({ note: z3.z.string().nullable() }), errors: [] },
  { change: 'field added', direction: 'outbound', before: z.object({ balance: z.number() }), after: z.object({ balance: z.number(), change: z.number() }), errors: [] },
  { change: 'field removed', direction: 'outbound', before: z.object({ balance: z.number(), change: z.number() }), after: z.object({ balance: z.number() }), errors: [
      'aggregate account, outbound event BALANCE_CHANGED, field change: field removed or renamed (breaking: consumers still holding the old schema would misread new events). Fix: make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type.',
    ] },
  { change: 'field renamed', direction: 'outbound', before: z.object({ balance: z.number() }), after: z.object({ newBalance: z.number() }), errors: [
      'aggregate account, outbound event BALANCE_CHANGED, field balance: field removed or renamed (breaking: consumers still holding the old schema would misread new events). Fix: make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type.',
    ] },
  { change: 'optional field removed', direction: 'outbound', before: z.object({ balance: z.number(), note: z.string().optional() }), after: z.object({ balance: z.number() }), errors: [
      'aggregate account, outbound event BALANCE_CHANGED, field note: field removed or renamed (breaking: consumers still holding the old schema would misread new events). Fix: make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type.',
    ] },
  { change: 'type changed', direction: 'outbound', before: z.object({ balance: z.number() }), after: z.object({ balance: z.string() }), errors: [
      'aggregate account, outbound event BALANCE_CHANGED, field balance: type changed from number to string (breaking: consumers still holding the old schema would misread new events). Fix: make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type.',
    ] },
  { change: 'enum value added', direction: 'outbound', before: z.object({ reason: z.enum(['overdraft-limit']) }), after: z.object({ reason: z.enum(['overdraft-limit', 'account-closed']) }), errors: [
      'aggregate account, outbound event BALANCE_CHANGED, field reason: enum value "account-closed" added (breaking: consumers still holding the old schema would misread new events). Fix: make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type.',
    ] },
  { change: 'enum value removed', direction: 'outbound', before: z.object({ reason: z.enum(['overdraft-limit', 'account-closed']) }), after: z.object({ reason: z.enum(['overdraft-limit']) }), errors: [] },
  { change: 'constraint widened (positive to any number)', direction: 'outbound', before: z.object({ amount: z.number().positive() }), after: z.object({ amount: z.number() }), errors: [
      'aggregate account, outbound event BALANCE_CHANGED, field amount: constraint widened: lower bound > 0 → none (breaking: consumers still holding the old schema would misread new events). Fix: make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type.',
    ] },
  { change: 'constraint narrowed (any number to positive)', direction: 'outbound', before: z.object({ amount: z.number() }), after: z.object({ amount: z.number().positive() }), errors: [] },
  { change: 'required field made optional', direction: 'outbound', before: z.object({ balance: z.number() }), after: z.object({ balance: z.number().optional() }), errors: [
      'aggregate account, outbound event BALANCE_CHANGED, field balance: required field made optional (breaking: consumers still holding the old schema would misread new events). Fix: make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type.',
    ] },
  { change: 'made nullable', direction: 'outbound', before: z.object({ balance: z.number() }), after: z.object({ balance: z.number().nullable() }), errors: [
      'aggregate account, outbound event BALANCE_CHANGED, field balance: made nullable (breaking: consumers still holding the old schema would misread new events). Fix: make a compatible change (keep every field and value consumers know; add new fields), or publish the new shape as a new event type.',
    ] },
  { change: 'optional field added', direction: 'state', before: z.object({ balance: z.number() }), after: z.object({ balance: z.number(), note: z.string().optional() }), errors: [] },
  { change: 'field added with a default (snapshots do not have it)', direction: 'state', before: z.object({ balance: z.number() }), after: z.object({ balance: z.number(), currency: z.string().default('EUR') }), errors: [
      'aggregate account, state, field currency: required field added with a default, which stored data does not get (breaking: stored snapshots could no longer be read). Fix: bump stateVersion to 2 in defineAggregate (stored snapshots are then rebuilt from history), or make a compatible change.',
    ] },
  { change: 'field removed', direction: 'state', before: z.object({ balance: z.number(), note: z.string() }), after: z.object({ balance: z.number() }), errors: [], warnings: ['aggregate account, state, field note: field removed (stored values of it are ignored)'] },
  { change: 'optional field given a default (snapshots without it still lack it)', direction: 'state', before: z.object({ balance: z.number(), note: z.string().optional() }), after: z.object({ balance: z.number(), note: z.string().default('') }), errors: [
      'aggregate account, state, field note: optional field made required (breaking: stored snapshots could no longer be read). Fix: bump stateVersion to 2 in defineAggregate (stored snapshots are then rebuilt from history), or make a compatible change.',
    ] },
  { change: 'type changed', direction: 'state', before: z.object({ balance: z.number() }), after: z.object({ balance: z.string() }), errors: [
      'aggregate account, state, field balance: type changed from number to string (breaking: stored snapshots could no longer be read). Fix: bump stateVersion to 2 in defineAggregate (stored snapshots are then rebuilt from history), or make a compatible change.',
    ] },
];

const converters = await jsonSchemaConverters();

function aggregateWith(direction: Direction, schema: unknown): AggregateModel {
  const io = direction === 'inbound' ? 'input' : 'output';
  const jsonSchema = toJsonSchema(converters, schema, io);
  const event = { type: 'MONEY_DEPOSITED', direction, schema, jsonSchema, version: 1, versions: [{ version: 1, schema, jsonSchema }] };
  const stateSchema = direction === 'state' ? jsonSchema : toJsonSchema(converters, z.object({ balance: z.number() }), 'output');
  return {
    name: 'account',
    type: 'ACCOUNT',
    inbound: direction === 'inbound' ? [event] : [],
    outbound: direction === 'outbound' ? [{ ...event, type: 'BALANCE_CHANGED' }] : [],
    stateJsonSchema: stateSchema,
    stateVersion: 1,
    rulesVersion: 1,
  } as unknown as AggregateModel;
}

function modelWith(direction: Direction, schema: unknown): Model {
  return { aggregates: [aggregateWith(direction, schema)] } as unknown as Model;
}

/** What the compiler says when the lock holds `before` and the schema module now has `after`. */
export function judge(direction: Direction, before: unknown, after: unknown): { errors: string[]; warnings: string[] } {
  const locked: Lock = evolve(modelWith(direction, before), undefined, '').lock;
  const { findings } = evolve(modelWith(direction, after), locked, '');
  return {
    errors: findings.filter((finding) => finding.severity !== 'warning').map((finding) => finding.message),
    warnings: findings.filter((finding) => finding.severity === 'warning').map((finding) => finding.message),
  };
}

describe('esre schema evolution: the golden corpus of schema changes', () => {
  it('holds every message docs/schema-evolution.md shows for a kind of change', () => {
    const guide = readFileSync(path.join(REPO, 'docs/schema-evolution.md'), 'utf8');
    const shown = [...guide.matchAll(/<!-- doc-test: tested-in test\/compiler\.compatibility\.test\.ts -->\n```text\n([\s\S]*?)```/g)].flatMap((match) =>
      match[1]!.split('\n').filter(Boolean),
    );
    expect(shown.length).to.be.at.least(20);
    const known = new Set(corpus.flatMap((row) => [...row.errors, ...(row.warnings ?? [])]));
    expect(shown.filter((message) => !known.has(message))).to.deep.equal([]);
  });

  it('has at least 20 changes, compatible and breaking, in every direction', () => {
    expect(corpus.length).to.be.at.least(20);
    for (const direction of ['inbound', 'outbound', 'state'] as const) {
      expect(corpus.filter((row) => row.direction === direction && row.errors.length > 0), `${direction} breaking`).to.not.be.empty;
      expect(corpus.filter((row) => row.direction === direction && row.errors.length === 0), `${direction} compatible`).to.not.be.empty;
    }
  });

  it('counts the registry version of an outbound event: up by one when its schema changes compatibly, kept otherwise', () => {
    const first = evolve(modelWith('outbound', z.object({ balance: z.number() })), undefined, '').lock;
    expect(first.aggregates.ACCOUNT!.outbound.BALANCE_CHANGED!.version).to.equal(1);
    const same = evolve(modelWith('outbound', z.object({ balance: z.number() })), first, '').lock;
    expect(same.aggregates.ACCOUNT!.outbound.BALANCE_CHANGED!.version).to.equal(1);
    const widened = evolve(modelWith('outbound', z.object({ balance: z.number(), change: z.number() })), same, '');
    expect(widened.findings).to.deep.equal([]);
    expect(widened.lock.aggregates.ACCOUNT!.outbound.BALANCE_CHANGED!.version).to.equal(2);
  });

  it('refuses a lower stateVersion, and compares no state once stateVersion is bumped', () => {
    const locked = evolve(modelWith('state', z.object({ balance: z.number() })), undefined, '').lock;
    const bumped = { aggregates: [{ ...aggregateWith('state', z.object({ balance: z.string() })), stateVersion: 2 }] } as unknown as Model;
    const accepted = evolve(bumped, locked, '');
    expect(accepted.findings).to.deep.equal([]);
    const lowered = { aggregates: [{ ...aggregateWith('state', z.object({ balance: z.string() })), stateVersion: 1 }] } as unknown as Model;
    expect(evolve(lowered, accepted.lock, '').findings.map((finding) => finding.message)).to.deep.equal([
      'aggregate account, state: stateVersion went down from 2 to 1. Fix: set stateVersion back to 2 or higher.',
    ]);
  });

  for (const row of corpus) {
    it(`${row.direction}: ${row.change} is ${row.errors.length === 0 ? 'compatible' : 'breaking'}`, () => {
      const { errors, warnings } = judge(row.direction, row.before, row.after);
      expect(errors).to.deep.equal(row.errors);
      expect(warnings).to.deep.equal(row.warnings ?? []);
    });
  }
});
