/**
 * createHttpHandler serves any aggregate, including one whose rules publish nothing (no
 * outbound events: its outbound type is `never`), given directly or as a generated class; and
 * the `api.ts` that `esre generate` writes for such a schema is `tsc --strict` clean.
 */
import { expect } from 'chai';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { Aggregate, InMemoryEventStore, Processor } from 'event-sourced-rules-engine';
import { generate } from 'event-sourced-rules-engine/compiler';
import { createHttpHandler, type HttpApiResult } from 'event-sourced-rules-engine/http';
import { EXAMPLE, FIXTURES, removeProject, runTsc, scratchProject } from './compiler.support.js';
import { httpApiEvent } from './support/http-api-event.js';

interface Note {
  text: string;
}
type Written = { text: string };

/** A note aggregate that publishes no outbound event: `Aggregate<Note, Written, never>`. */
function notes(): Aggregate<Note, Written, never> {
  return new Aggregate<Note, Written, never>({
    type: 'NOTE',
    store: new InMemoryEventStore<Note, Written, never>(),
    processor: new Processor<Note, Written, never>({ NOTE_WRITTEN: ({ current }) => ({ text: current.text }) }, () => ({ text: '' })),
    schemas: { inbound: { NOTE_WRITTEN: z.object({ text: z.string().check(z.minLength(1)) }) } },
  });
}

const write = (text: string) => httpApiEvent({ method: 'POST', path: '/note/n-1/events', json: { events: [{ type: 'NOTE_WRITTEN', payload: { text } }] } });
const parse = (result: HttpApiResult) => JSON.parse(result.body) as Record<string, any>;

const SCHEMA = `import * as z from 'zod/mini';
import { defineAggregate } from 'event-sourced-rules-engine/schema';

export default defineAggregate({
  name: 'note',
  type: 'NOTE',
  state: z.object({ text: z.string() }),
  initial: { text: '' },
  inbound: { NOTE_WRITTEN: z.object({ text: z.string().check(z.minLength(1, 'Write something')) }) },
  outbound: {},
});
`;

const RULE = `import type { NoteRule } from '../../generated/note/types.js';

const noteWrittenRule: NoteRule<'NOTE_WRITTEN'> = ({ state, current }) => {
  state.text = current.text;
  return state;
};

export default noteWrittenRule;
`;

describe('createHttpHandler and an aggregate without outbound events', function () {
  this.timeout(120_000);

  it('serves a runtime Aggregate whose outbound type is never, and the same as a generated class holds it', async () => {
    const direct = createHttpHandler({ aggregate: notes(), path: 'note' });
    const created = await direct(write('milk'));
    expect(created.statusCode, created.body).to.equal(201);
    expect(parse(created).outbound).to.deep.equal([]);
    const wrapped = createHttpHandler({ aggregate: { aggregate: notes() }, path: 'note' });
    const refused = await wrapped(write(''));
    expect(refused.statusCode).to.equal(400);
    expect(parse(refused).issues.map((issue: { path: string }) => issue.path)).to.deep.equal(['/events/0/payload/text']);
  });

  it('esre generate with service.api on: the api.ts of a schema with `outbound: {}` is tsc --strict clean', async () => {
    const dir = scratchProject('http-no-outbound');
    try {
      cpSync(path.join(FIXTURES, 'api/esre.config.ts'), path.join(dir, 'esre.config.ts'));
      cpSync(path.join(FIXTURES, 'api/tsconfig.json'), path.join(dir, 'tsconfig.json'));
      mkdirSync(path.join(dir, 'schemas'));
      writeFileSync(path.join(dir, 'schemas/note.schema.ts'), SCHEMA);
      mkdirSync(path.join(dir, 'src/rules/note'), { recursive: true });
      writeFileSync(path.join(dir, 'src/rules/note/noteWritten.ts'), RULE);
      const result = await generate({ cwd: dir });
      expect(result.written).to.include('src/generated/note/api.ts');
      // its header lists the routes it serves: no index-query route for an aggregate without indexes
      const api = readFileSync(path.join(dir, 'src/generated/note/api.ts'), 'utf8');
      const routes = [...api.matchAll(/`((?:GET|POST) \/[^`]*)`/g)].map((match) => match[1]);
      expect(routes).to.deep.equal(['POST /note/{id}/events', 'GET /note/{id}', 'GET /note/{id}/events']);
      expect(api).to.not.include('/by/');
      const { status, output } = runTsc(dir);
      expect(output).to.equal('');
      expect(status).to.equal(0);
    } finally {
      removeProject(dir);
    }
  });

  it('the api.ts of an aggregate with indexes lists the index-query route too (the account example)', () => {
    const api = readFileSync(path.join(EXAMPLE, 'src/generated/account/api.ts'), 'utf8');
    const routes = [...api.matchAll(/`((?:GET|POST) \/[^`]*)`/g)].map((match) => match[1]);
    expect(routes).to.deep.equal(['POST /account/{id}/events', 'GET /account/{id}', 'GET /account/{id}/events', 'GET /account/by/{index}/{key}']);
  });
});
