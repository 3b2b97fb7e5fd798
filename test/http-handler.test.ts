/**
 * event-sourced-rules-engine/http: createHttpHandler over a real Aggregate and the memory store,
 * fed API Gateway HTTP API v2.0 events. The bundled, generated handler against DynamoDB Local
 * is specified in test/http-bundle.test.ts.
 */
import { expect } from 'chai';
import { z } from 'zod';
import { Aggregate, InMemoryEventStore, Processor, defineIndex, type Rules } from 'event-sourced-rules-engine';
import { PROBLEM_TYPES, createHttpHandler, problemTypeUri, type HttpApiResult, type LogEntry } from 'event-sourced-rules-engine/http';
import { httpApiEvent, type RequestSpec } from './support/http-api-event.js';

interface Counter {
  name: string;
  total: number;
  size: number;
}
const inbound = {
  NAMED: z.object({ name: z.string().min(1) }),
  ADDED: z.object({ amount: z.number().positive(), note: z.string().optional() }),
  BROKEN: z.object({}),
};
const outbound = { TOTAL_CHANGED: z.object({ total: z.number() }) };
type InMap = { [K in keyof typeof inbound]: z.infer<(typeof inbound)[K]> };
type OutMap = { [K in keyof typeof outbound]: z.infer<(typeof outbound)[K]> };

const rules: Rules<Counter, InMap, OutMap> = {
  NAMED: (input) => ({ ...input.state, name: input.current.name }),
  ADDED: (input) => {
    input.state.total += input.current.amount;
    input.state.size = Math.round(input.state.total);
    input.publish('TOTAL_CHANGED', { total: input.state.total });
    return input.state;
  },
  BROKEN: () => {
    throw new Error('secret: the connection string is postgres://admin:hunter2@db');
  },
};

function counters(store = new InMemoryEventStore<Counter, InMap[keyof InMap], OutMap[keyof OutMap]>()) {
  return new Aggregate<Counter, InMap[keyof InMap], OutMap[keyof OutMap]>({
    type: 'COUNTER',
    store,
    processor: new Processor<Counter, InMap[keyof InMap], OutMap[keyof OutMap]>(rules, () => ({ name: '', total: 0, size: 0 })),
    indexes: [defineIndex('byName', (snapshot) => snapshot.state.name || null), defineIndex('bySize', (snapshot) => (snapshot.sequence > 0 ? snapshot.state.size : null))],
    schemas: { inbound, outbound },
  });
}

const parse = (result: HttpApiResult) => JSON.parse(result.body) as Record<string, any>;
const typeOf = (kind: keyof typeof PROBLEM_TYPES) => problemTypeUri(PROBLEM_TYPES[kind]);

describe('event-sourced-rules-engine/http: createHttpHandler', () => {
  let store: InMemoryEventStore<Counter, InMap[keyof InMap], OutMap[keyof OutMap]>;
  let logs: LogEntry[];
  let handle: (spec: RequestSpec) => Promise<HttpApiResult>;
  beforeEach(() => {
    store = new InMemoryEventStore();
    logs = [];
    const handler = createHttpHandler({ aggregate: counters(store), path: 'counter', indexKeyTypes: { bySize: 'number' }, maxBodyBytes: 2048, logger: (entry) => logs.push(entry) });
    handle = (spec) => handler(httpApiEvent(spec));
  });
  const post = (id: string, events: unknown[], headers: Record<string, string> = {}) => handle({ method: 'POST', path: `/counter/${id}/events`, json: { events }, headers });
  const commits = () => store.pendingOutbox({ limit: 1000 }).then((records) => records.length);

  describe('POST /{aggregate}/{id}/events', () => {
    it('appends: 201 with the snapshot, the recorded events and the outbound events when it creates the aggregate, 200 after', async () => {
      const first = await post('c-1', [{ type: 'NAMED', payload: { name: 'apples' } }, { type: 'ADDED', payload: { amount: 2 }, metadata: { user: 'ann' } }]);
      expect(first.statusCode).to.equal(201);
      expect(first.headers['content-type']).to.equal('application/json');
      expect(first.headers.location).to.equal('/counter/c-1');
      const body = parse(first);
      expect(body.snapshot).to.include({ aggregateType: 'COUNTER', aggregateId: 'c-1', sequence: 2 });
      expect(body.snapshot.state).to.deep.equal({ name: 'apples', total: 2, size: 2 });
      expect(body.events.map((event: any) => [event.type, event.sequence, event.payload])).to.deep.equal([['NAMED', 1, { name: 'apples' }], ['ADDED', 2, { amount: 2 }]]);
      expect(body.events[1].metadata).to.deep.equal({ user: 'ann' });
      expect(body.outbound.map((event: any) => [event.type, event.payload])).to.deep.equal([['TOTAL_CHANGED', { total: 2 }]]);
      const second = await post('c-1', [{ type: 'ADDED', payload: { amount: 3 } }]);
      expect(second.statusCode).to.equal(200);
      expect(second.headers).to.not.have.property('location');
      expect(parse(second).snapshot.sequence).to.equal(3);
    });

    it('Idempotency-Key: a repeat answers the first result (same status) and writes nothing', async () => {
      const first = await post('c-2', [{ type: 'ADDED', payload: { amount: 1 } }], { 'Idempotency-Key': 'order-17' });
      const again = await post('c-2', [{ type: 'ADDED', payload: { amount: 1 } }], { 'Idempotency-Key': 'order-17' });
      expect(again.statusCode).to.equal(first.statusCode).and.to.equal(201);
      expect(parse(again)).to.deep.equal(parse(first));
      expect((await counters(store).get('c-2')).sequence).to.equal(1);
    });

    it('a payload that fails its schema: 400 ValidationError with a JSON Pointer per issue, nothing written', async () => {
      const result = await post('c-3', [{ type: 'NAMED', payload: { name: 'x' } }, { type: 'ADDED', payload: { amount: -1, note: 7 } }]);
      expect(result.statusCode).to.equal(400);
      expect(result.headers['content-type']).to.equal('application/problem+json');
      const problem = parse(result);
      expect(problem).to.include({ type: typeOf('validation'), title: 'Validation failed', status: 400, instance: '/counter/c-3/events' });
      expect(problem.issues.map((issue: any) => issue.path)).to.deep.equal(['/events/1/payload/amount', '/events/1/payload/note']);
      expect((await counters(store).get('c-3')).sequence).to.equal(0);
    });

    it('names the failing event by its place, also among events of the same type', async () => {
      const result = await post('c-3', [{ type: 'ADDED', payload: { amount: 1 } }, { type: 'ADDED', payload: { amount: 0 } }]);
      expect(parse(result).issues.map((issue: any) => issue.path)).to.deep.equal(['/events/1/payload/amount']);
    });

    const shapes: [string, unknown, string[]][] = [
      ['a body that is not an object', [1, 2], ['']],
      ['no events', {}, ['/events']],
      ['an empty events array', { events: [] }, ['/events']],
      ['unknown keys, no type, no payload, bad metadata', { events: [{ kind: 'ADDED', metadata: 3 }], extra: true }, ['/extra', '/events/0/kind', '/events/0/type', '/events/0/payload', '/events/0/metadata']],
    ];
    for (const [what, body, paths] of shapes) {
      it(`${what}: 400 ValidationError naming each place`, async () => {
        const result = await handle({ method: 'POST', path: '/counter/c-4/events', json: body });
        expect(result.statusCode).to.equal(400);
        const problem = parse(result);
        expect(problem.type).to.equal(typeOf('validation'));
        expect(problem.issues.map((issue: any) => issue.path)).to.deep.equal(paths);
      });
    }

    it('an unknown event type: 422 naming the place and the known types, nothing written', async () => {
      const result = await post('c-5', [{ type: 'ADDED', payload: { amount: 1 } }, { type: 'REMOVED', payload: {} }]);
      expect(result.statusCode).to.equal(422);
      const problem = parse(result);
      expect(problem.type).to.equal(typeOf('unknownEventType'));
      expect(problem.issues).to.deep.equal([{ path: '/events/1/type', message: 'unknown event type; expected one of NAMED, ADDED, BROKEN' }]);
      expect((await counters(store).get('c-5')).sequence).to.equal(0);
    });

    it('bad JSON: 400; no or another content type: 415; a body over maxBodyBytes: 413 (text or base64); nothing written', async () => {
      const bad = await handle({ method: 'POST', path: '/counter/c-6/events', text: '{"events": [', headers: { 'content-type': 'application/json' } });
      expect([bad.statusCode, parse(bad).type]).to.deep.equal([400, typeOf('malformedJson')]);
      const none = await handle({ method: 'POST', path: '/counter/c-6/events', text: '{"events":[]}' });
      expect([none.statusCode, parse(none).type]).to.deep.equal([415, typeOf('unsupportedMediaType')]);
      const form = await handle({ method: 'POST', path: '/counter/c-6/events', text: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.statusCode).to.equal(415);
      const withCharset = await handle({ method: 'POST', path: '/counter/c-6/events', text: JSON.stringify({ events: [{ type: 'ADDED', payload: { amount: 1 } }] }), headers: { 'content-type': 'application/json; charset=utf-8' } });
      expect(withCharset.statusCode).to.equal(201);
      const big = { events: [{ type: 'ADDED', payload: { amount: 1, note: 'é'.repeat(1100) } }] };
      expect(JSON.stringify(big).length, 'under the limit in characters').to.be.below(2048);
      for (const base64 of [false, true]) {
        const result = await handle({ method: 'POST', path: '/counter/c-7/events', json: big, base64 });
        expect([result.statusCode, parse(result).type], `base64: ${base64}`).to.deep.equal([413, typeOf('payloadTooLarge')]);
      }
      const encoded = await handle({ method: 'POST', path: '/counter/c-7/events', json: { events: [{ type: 'ADDED', payload: { amount: 1, note: 'é' } }] }, base64: true });
      expect(encoded.statusCode).to.equal(201);
      expect(parse(encoded).events[0].payload.note).to.equal('é');
    });

    it('a rule that throws: 500 with the request id only; the error is logged with that id', async () => {
      const result = await post('c-9', [{ type: 'BROKEN', payload: {} }]);
      expect(result.statusCode).to.equal(500);
      const problem = parse(result);
      expect(Object.keys(problem).sort()).to.deep.equal(['detail', 'instance', 'status', 'title', 'type']);
      expect(result.body).to.not.include('secret').and.not.include('hunter2').and.not.include('Error');
      expect(logs).to.have.length(1);
      expect(problem.detail).to.include(logs[0]!.requestId as string);
      expect(JSON.stringify(logs[0])).to.include('hunter2');
    });

    it('a bad Idempotency-Key or aggregate id: 400, nothing written', async () => {
      const long = await post('c-10', [{ type: 'ADDED', payload: { amount: 1 } }], { 'idempotency-key': 'k'.repeat(257) });
      expect([long.statusCode, parse(long).type]).to.deep.equal([400, typeOf('badRequest')]);
      const lone = await post('c-10', [{ type: 'ADDED', payload: { amount: 1 } }], { 'idempotency-key': 'k\uD800' });
      expect(lone.statusCode).to.equal(400);
      const badPath = await handle({ method: 'POST', path: '/counter/%E0%A4%A/events', json: { events: [{ type: 'ADDED', payload: { amount: 1 } }] } });
      expect(badPath.statusCode).to.equal(400);
      expect((await counters(store).get('c-10')).sequence).to.equal(0);
    });
  });

  describe('GET /{aggregate}/{id}', () => {
    it('the snapshot; ids are percent-decoded', async () => {
      await post('a%2Fb', [{ type: 'NAMED', payload: { name: 'pears' } }]);
      const result = await handle({ method: 'GET', path: '/counter/a%2Fb' });
      expect(result.statusCode).to.equal(200);
      expect(parse(result)).to.include({ aggregateId: 'a/b', sequence: 1 });
      expect(parse(result).state.name).to.equal('pears');
    });

    it('404 aggregate-not-found for an aggregate with no events (sequence 0)', async () => {
      const result = await handle({ method: 'GET', path: '/counter/nobody' });
      expect(result.statusCode).to.equal(404);
      expect(parse(result)).to.include({ type: typeOf('aggregateNotFound'), detail: 'COUNTER "nobody" has no events' });
    });
  });

  describe('GET /{aggregate}/{id}/events', () => {
    it('pages the history with limit and the opaque next cursor, passed back as after; after also takes a sequence', async () => {
      await post('h-1', Array.from({ length: 5 }, (_, index) => ({ type: 'ADDED', payload: { amount: index + 1 } })));
      const seen: number[] = [];
      let after = '';
      let pages = 0;
      for (;;) {
        const result = await handle({ method: 'GET', path: '/counter/h-1/events', query: `limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}` });
        expect(result.statusCode).to.equal(200);
        const body = parse(result);
        seen.push(...body.events.map((event: any) => event.sequence));
        pages++;
        if (!body.next) break;
        expect(body.next).to.not.match(/^\d+$/);
        after = body.next;
      }
      expect(seen).to.deep.equal([1, 2, 3, 4, 5]);
      expect(pages).to.equal(3);
      const fromThree = parse(await handle({ method: 'GET', path: '/counter/h-1/events', query: 'after=3' }));
      expect(fromThree.events.map((event: any) => event.sequence)).to.deep.equal([4, 5]);
      expect(fromThree).to.not.have.property('next');
      const exact = parse(await handle({ method: 'GET', path: '/counter/h-1/events', query: 'limit=5' }));
      expect(exact.events).to.have.length(5);
      expect(exact, 'no next when the page ends the history').to.not.have.property('next');
      const past = parse(await handle({ method: 'GET', path: '/counter/h-1/events', query: 'after=5' }));
      expect(past, 'a page after the last event is empty').to.deep.equal({ events: [] });
    });

    it('404 aggregate-not-found for the history of an aggregate with no events', async () => {
      const result = await handle({ method: 'GET', path: '/counter/nobody/events' });
      expect([result.statusCode, parse(result).type]).to.deep.equal([404, typeOf('aggregateNotFound')]);
    });

    for (const query of ['limit=0', 'limit=1001', 'limit=two', 'after=-1', 'after=nonsense', 'limt=5', 'after=1&after=2']) {
      it(`a bad query (${query}): 400 bad-request`, async () => {
        const result = await handle({ method: 'GET', path: '/counter/h-1/events', query });
        expect([result.statusCode, parse(result).type]).to.deep.equal([400, typeOf('badRequest')]);
      });
    }
  });

  describe('GET /{aggregate}/by/{index}/{key}', () => {
    it('the snapshots filed under the key; a number index takes canonical decimal keys only', async () => {
      await post('q-1', [{ type: 'NAMED', payload: { name: 'plums' } }, { type: 'ADDED', payload: { amount: 7 } }]);
      await post('q-2', [{ type: 'NAMED', payload: { name: 'plums' } }]);
      const byName = parse(await handle({ method: 'GET', path: '/counter/by/byName/plums' }));
      expect(byName.snapshots.map((item: any) => item.aggregateId)).to.deep.equal(['q-1', 'q-2']);
      const bySize = await handle({ method: 'GET', path: '/counter/by/bySize/7' });
      expect(parse(bySize).snapshots.map((item: any) => item.aggregateId)).to.deep.equal(['q-1']);
      const padded = await handle({ method: 'GET', path: '/counter/by/bySize/07' });
      expect([padded.statusCode, parse(padded).type]).to.deep.equal([400, typeOf('badRequest')]);
      const none = parse(await handle({ method: 'GET', path: '/counter/by/byName/figs' }));
      expect(none.snapshots).to.deep.equal([]);
    });

    it('an unknown index: 404 naming the indexes', async () => {
      const result = await handle({ method: 'GET', path: '/counter/by/byColour/red' });
      expect(result.statusCode).to.equal(404);
      expect(parse(result).detail).to.equal('COUNTER has no index "byColour"; its indexes: byName, bySize');
    });
  });

  describe('routing', () => {
    it('404 for paths that are no route; 405 with Allow for a method a route does not take', async () => {
      for (const path of ['/counter', '/counter/', '/counter/a/b/c/d', '/counter//events', '/other/a', '/counter/a/history']) {
        const result = await handle({ method: 'GET', path });
        expect([result.statusCode, parse(result).type], path).to.deep.equal([404, typeOf('notFound')]);
      }
      const deleted = await handle({ method: 'DELETE', path: '/counter/a' });
      expect([deleted.statusCode, deleted.headers.allow]).to.deep.equal([405, 'GET']);
      const put = await handle({ method: 'PUT', path: '/counter/a/events', json: { events: [] } });
      expect([put.statusCode, put.headers.allow]).to.deep.equal([405, 'GET, POST']);
      const postQuery = await handle({ method: 'POST', path: '/counter/by/byName/x' });
      expect([postQuery.statusCode, postQuery.headers.allow]).to.deep.equal([405, 'GET']);
      expect(await commits()).to.equal(0);
    });

    it('a named stage prefixes the raw path; routes and Location keep it', async () => {
      const result = await handle({ method: 'POST', path: '/counter/s-1/events', stage: 'prod', json: { events: [{ type: 'ADDED', payload: { amount: 1 } }] } });
      expect(result.statusCode).to.equal(201);
      expect(result.headers.location).to.equal('/prod/counter/s-1');
    });
  });
});
