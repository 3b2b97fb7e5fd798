import { expect } from 'chai';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generate } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, FIXTURES, REPO, removeProject, runTsc, scratchProject, unformattedTypeScript } from './compiler.support.js';

/** Implementations of the rich fixture's rules, written as a user would after generating. */
const RULES: Record<string, string> = {
  'order/orderStarted.ts': `import type { OrderRule } from '../../generated/order/types.js';
const rule: OrderRule<'ORDER_STARTED'> = ({ state, current }) => {
  state.customer = { id: current.customerId, email: current.email, ...(current.address ? { address: current.address } : {}) };
  return state;
};
export default rule;
`,
  'order/lineAdded.ts': `import type { OrderRule } from '../../generated/order/types.js';
const rule: OrderRule<'LINE_ADDED'> = ({ state, current }) => {
  state.lines.push(current.line);
  return state;
};
export default rule;
`,
  'order/orderTagged.ts': `import type { OrderRule } from '../../generated/order/types.js';
const rule: OrderRule<'ORDER_TAGGED'> = ({ state, current }) => ({ ...state, tags: [...new Set([...state.tags, ...current.tags])].sort() });
export default rule;
`,
  'order/discountApplied.ts': `import type { OrderRule } from '../../generated/order/types.js';
const rule: OrderRule<'DISCOUNT_APPLIED'> = ({ state, current }) => {
  state.discounts[current.code] = current.percent;
  return state;
};
export default rule;
`,
  'order/orderPlaced.ts': `import type { OrderRule } from '../../generated/order/types.js';
const rule: OrderRule<'ORDER_PLACED'> = ({ state, current, publish }) => {
  const gross = state.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  const percent = Object.values(state.discounts).reduce((sum, value) => sum + value, 0);
  state.status = 'placed';
  state.placedAt = current.at;
  state.payment = current.payment;
  state.note = current.note;
  state.reference = current.reference;
  publish('ORDER_CONFIRMED', { total: gross * (1 - percent / 100), placedAt: current.at, city: state.customer.address?.city ?? null, lines: state.lines.length });
  return state;
};
export default rule;
`,
  'ledger/ledgerOpened.ts': `import type { LedgerRule } from '../../generated/ledger/types.js';
const rule: LedgerRule<'LEDGER_OPENED'> = ({ state, current }) => ({ ...state, owner: current.owner, currency: current.currency });
export default rule;
`,
  'ledger/entryPosted.ts': `import type { LedgerRule } from '../../generated/ledger/types.js';
const rule: LedgerRule<'ENTRY_POSTED'> = ({ state, current, publish }) => {
  state.entries.push(current);
  if (Math.abs(current.amount) >= 1000) publish('LARGE_ENTRY_POSTED', { amount: current.amount, owner: state.owner });
  return state;
};
export default rule;
`,
};

const SCENARIO = `import { InMemoryEventStore } from 'event-sourced-rules-engine';
import { LedgerAggregate } from './src/generated/ledger/aggregate.js';
import { LedgerEvents } from './src/generated/ledger/events.js';
import { OrderAggregate } from './src/generated/order/aggregate.js';
import { OrderEvents } from './src/generated/order/events.js';
import type { OrderInboundEvent, OrderState } from './src/generated/order/types.js';

export async function run() {
  const orders = new OrderAggregate({ store: new InMemoryEventStore() });
  const at = new Date('2026-01-02T03:04:05.000Z');
  const placed = await orders.append(
    'o-1',
    OrderEvents.orderStarted({ customerId: 'c-1', email: 'c@example.com', address: { street: '1 Main St', city: 'Oslo' } }),
    OrderEvents.lineAdded({ line: { sku: 'A', quantity: 2, unitPrice: 5 } }),
    OrderEvents.lineAdded({ line: { sku: 'B', quantity: 1, unitPrice: 10 } }),
    OrderEvents.orderTagged({ tags: ['rush', 'gift'] }),
    OrderEvents.discountApplied({ code: 'WELCOME', percent: 10 }),
    OrderEvents.orderPlaced({ at, payment: { kind: 'card', last4: '4242' } }),
  );
  await orders.append('o-2', OrderEvents.orderStarted({ customerId: 'c-1', email: null }));
  const ids = (snapshots: { aggregateId: string }[]) => snapshots.map((snapshot) => snapshot.aggregateId);
  const ledgers = new LedgerAggregate({ store: new InMemoryEventStore() });
  const ledger = await ledgers.append('l-1', LedgerEvents.ledgerOpened({ owner: 'ada', currency: 'EUR' }), LedgerEvents.entryPosted({ amount: 1500, at }));
  let invalid: string | undefined;
  try {
    await ledgers.append('l-1', LedgerEvents.entryPosted({ amount: 1, at: 'yesterday' as unknown as Date }));
  } catch (error) {
    invalid = (error as Error).message;
  }
  const state: OrderState = placed.snapshot.state;
  return {
    state,
    outbound: placed.outbound.map((record) => ({ type: record.type, payload: record.payload })),
    byCustomer: ids(await orders.queryByCustomer('c-1')),
    byCity: ids(await orders.queryByCity('Oslo')),
    byTag: ids(await orders.queryByTag('gift')),
    byStatus: ids(await orders.queryByStatus('open')),
    ledger: ledger.snapshot.state,
    ledgerOutbound: ledger.outbound.map((record) => ({ type: record.type, payload: record.payload })),
    byOwner: ids(await ledgers.queryByOwner('ada')),
    invalid,
  };
}

/** Never called: tsc must reject each marked line, or @ts-expect-error itself fails. */
export function typeErrors(orders: OrderAggregate, event: OrderInboundEvent): void {
  // @ts-expect-error: customerId is a string
  OrderEvents.orderStarted({ customerId: 1, email: null });
  // @ts-expect-error: the byCity key is a string
  void orders.queryByCity(42);
  // @ts-expect-error: a ledger event is not an order event
  void orders.append('o-1', LedgerEvents.ledgerOpened({ owner: 'x', currency: 'EUR' }));
  // @ts-expect-error: the payment kind is card or invoice
  OrderEvents.orderPlaced({ at: new Date(), payment: { kind: 'cash' } });
  if (event.type === 'LINE_ADDED') {
    const quantity: number = event.payload.line.quantity;
    // @ts-expect-error: the union is discriminated by type
    void event.payload.tags;
    void quantity;
  }
}
`;

describe('esre generate: a rich schema (zod 4 and zod/v3)', function () {
  this.timeout(90_000);
  let dir: string;

  before(() => {
    dir = scratchProject('rich');
    cpSync(path.join(FIXTURES, 'rich'), dir, { recursive: true });
  });
  after(() => removeProject(dir));

  it('generates code, stubs and JSON Schemas for nested, optional, nullable, array, union, record and date fields', async () => {
    const result = await generate({ cwd: dir });
    expect(result.stubsCreated.filter((file) => file.startsWith('src/rules/'))).to.have.length(7);
    const json = (file: string) => JSON.parse(readFileSync(path.join(dir, 'src/generated', file), 'utf8'));
    const placed = json('order/events/inbound/ORDER_PLACED.schema.json');
    expect(placed.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
    expect(placed.properties.at).to.deep.equal({ type: 'string', format: 'date-time' });
    expect(placed.required).to.deep.equal(['at', 'payment'], 'inbound schemas describe the input: defaults are optional');
    expect(placed.properties.payment.oneOf ?? placed.properties.payment.anyOf).to.have.length(2);
    const confirmed = json('order/events/outbound/ORDER_CONFIRMED.schema.json');
    expect(confirmed.required).to.deep.equal(['total', 'placedAt', 'city', 'lines']);
    const posted = json('ledger/events/inbound/ENTRY_POSTED.schema.json');
    expect(posted.$schema).to.equal('http://json-schema.org/draft-07/schema#');
    expect(posted.properties).to.deep.equal({ amount: { type: 'number' }, memo: { type: 'string' }, at: { type: 'string', format: 'date-time' } });
    const indexes = readFileSync(path.join(dir, 'src/generated/order/indexes.ts'), 'utf8');
    expect(indexes).to.include('const byCityKeys = (snapshot: Snapshot<OrderState>) => snapshot.state.customer.address?.city;');
    expect(indexes).to.include("byStatus: defineIndex<OrderState>('byStatus', byStatusKeys),");
    expect(indexes).to.include("import { statusKeys as byStatusKeys } from '../../../schemas/order.keys.js';");
    expect(await unformattedTypeScript(dir, ['src', 'infra']), 'formatted by construction').to.deep.equal([]);
  });

  it('type-checks with tsc --strict once the rules are written, and rejects wrong uses (the templates too)', async () => {
    for (const [file, source] of Object.entries(RULES)) writeFileSync(path.join(dir, 'src/rules', file), source);
    writeFileSync(path.join(dir, 'scenario.ts'), SCENARIO);
    const tsconfig = JSON.parse(readFileSync(path.join(EXAMPLE, 'tsconfig.json'), 'utf8'));
    // the templates are valid TypeScript too: check them in the same run
    const templates = path.relative(dir, path.join(REPO, 'templates')).split(path.sep).join('/');
    tsconfig.include = ['esre.config.ts', 'schemas', 'src', 'scenario.ts', `${templates}/*.ts`, `${templates}/rules/*.ts`];
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const again = await generate({ cwd: dir });
    expect(again.stubsCreated).to.deep.equal([]);
    const { status, output } = runTsc(dir);
    expect(output).to.equal('');
    expect(status).to.equal(0);
  });

  it('runs a scenario: state, outbound events, index queries, validation', async () => {
    const scenario = (await import(pathToFileURL(path.join(dir, 'scenario.ts')).href)) as { run: () => Promise<any> };
    const result = await scenario.run();
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(result.state).to.deep.equal({
      status: 'placed',
      customer: { id: 'c-1', email: 'c@example.com', address: { street: '1 Main St', city: 'Oslo' } },
      lines: [
        { sku: 'A', quantity: 2, unitPrice: 5 },
        { sku: 'B', quantity: 1, unitPrice: 10 },
      ],
      tags: ['gift', 'rush'],
      discounts: { WELCOME: 10 },
      placedAt: at,
      payment: { kind: 'card', last4: '4242' },
      note: undefined,
      reference: 'none',
    });
    expect(result.outbound).to.deep.equal([{ type: 'ORDER_CONFIRMED', payload: { total: 18, placedAt: at, city: 'Oslo', lines: 2 } }]);
    expect(result.byCustomer).to.deep.equal(['o-1', 'o-2']);
    expect(result.byCity).to.deep.equal(['o-1']);
    expect(result.byTag).to.deep.equal(['o-1']);
    expect(result.byStatus).to.deep.equal(['o-1']);
    expect(result.ledger).to.deep.equal({ owner: 'ada', entries: [{ amount: 1500, at }], currency: 'EUR', closedAt: null });
    expect(result.ledgerOutbound).to.deep.equal([{ type: 'LARGE_ENTRY_POSTED', payload: { amount: 1500, owner: 'ada' } }]);
    expect(result.byOwner).to.deep.equal(['l-1']);
    expect(result.invalid).to.match(/Invalid inbound ENTRY_POSTED payload for LEDGER "l-1": at: /);
  });
});
