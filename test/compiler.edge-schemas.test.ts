import { expect } from 'chai';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generate } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, FIXTURES, removeProject, runTsc, scratchProject, unformattedTypeScript } from './compiler.support.js';

/** Rules of the edge fixture, as a user writes them after generating. */
const RULES: Record<string, string> = {
  'shipment/shipmentCreated.ts': `import type { ShipmentRule } from '../../generated/shipment/types.js';
const rule: ShipmentRule<'SHIPMENT_CREATED'> = ({ state, current }) => ({ ...state, priority: current.priority, createdAt: current.at });
export default rule;
`,
  'shipment/lineAdded.ts': `import type { ShipmentRule } from '../../generated/shipment/types.js';
const rule: ShipmentRule<'LINE_ADDED'> = ({ state, current }) => ({ ...state, status: 'packed', lines: [...state.lines, current.line] });
export default rule;
`,
  'shipment/carrierAssigned.ts': `import type { ShipmentRule } from '../../generated/shipment/types.js';
const rule: ShipmentRule<'CARRIER_ASSIGNED'> = ({ state, current }) => ({
  ...state,
  carrier: { name: current.name, depots: [...current.depots.map((code) => ({ code })), {}] },
});
export default rule;
`,
  'shipment/shipmentSent.ts': `import type { ShipmentRule } from '../../generated/shipment/types.js';
const rule: ShipmentRule<'SHIPMENT_SENT'> = ({ state, current, publish }) => {
  publish('SHIPMENT_DISPATCHED', { at: current.at, lines: String(state.lines.length) });
  return { ...state, status: 'sent' };
};
export default rule;
`,
  'parcel/parcelRegistered.ts': `import type { ParcelRule } from '../../generated/parcel/types.js';
const rule: ParcelRule<'PARCEL_REGISTERED'> = ({ state, current }) => ({ ...state, size: current.size, registeredAt: current.at });
export default rule;
`,
  'parcel/parcelWeighed.ts': `import type { ParcelRule } from '../../generated/parcel/types.js';
const rule: ParcelRule<'PARCEL_WEIGHED'> = ({ state, current }) => ({ ...state, weight: current.grams });
export default rule;
`,
  'parcel/labelPrinted.ts': `import type { ParcelRule } from '../../generated/parcel/types.js';
const rule: ParcelRule<'LABEL_PRINTED'> = ({ state, current, publish }) => {
  const labels = [...state.labels, { code: current.code, printedAt: current.at }];
  publish('PARCEL_READY', { weight: state.weight, labels: labels.length });
  return { ...state, labels };
};
export default rule;
`,
};

const SCENARIO = `import { InMemoryEventStore } from 'event-sourced-rules-engine';
import { ParcelAggregate } from './src/generated/parcel/aggregate.js';
import { ParcelEvents } from './src/generated/parcel/events.js';
import { ShipmentAggregate } from './src/generated/shipment/aggregate.js';
import { ShipmentEvents } from './src/generated/shipment/events.js';
import type { ShipmentIndexKeys } from './src/generated/shipment/indexes.js';
import type { ShipmentState } from './src/generated/shipment/types.js';

const ids = (snapshots: { aggregateId: string }[]) => snapshots.map((snapshot) => snapshot.aggregateId);

export async function run() {
  const shipments = new ShipmentAggregate({ store: new InMemoryEventStore() });
  const initial: ShipmentState = (await shipments.get('s-0')).state;
  const at = '2026-01-02T03:04:05.000Z';
  const sent = await shipments.append(
    's-1',
    ShipmentEvents.shipmentCreated({ at, priority: 'high' }),
    ShipmentEvents.lineAdded({ at, line: { sku: 'A-1', quantity: '2' } }),
    ShipmentEvents.lineAdded({ at, line: { sku: 'B-2', quantity: 1 } }),
    ShipmentEvents.carrierAssigned({ at, name: 'Posten', depots: ['OSL'] }),
    ShipmentEvents.shipmentSent({ at }),
  );
  await shipments.append('s-2', ShipmentEvents.lineAdded({ at, line: { sku: 'A-1', quantity: 5 } }));
  const parcels = new ParcelAggregate({ store: new InMemoryEventStore() });
  const parcelInitial = (await parcels.get('p-0')).state;
  const parcel = await parcels.append(
    'p-1',
    ParcelEvents.parcelRegistered({ at, size: 'M' }),
    ParcelEvents.parcelWeighed({ at, grams: '1200' as unknown as number }),
    ParcelEvents.labelPrinted({ at, code: 'L-9' }),
  );
  const sku: ShipmentIndexKeys['bySku'] = 'A-1';
  return {
    initial,
    state: sent.snapshot.state,
    outbound: sent.outbound.map((record) => record.payload),
    bySku: ids(await shipments.queryBySku(sku)),
    byDepot: ids(await shipments.queryByDepot('OSL')),
    byStatus: ids(await shipments.queryByStatus('sent')),
    byPriority: ids(await shipments.queryByPriority('low')),
    parcelInitial,
    parcel: parcel.snapshot.state,
    parcelOutbound: parcel.outbound.map((record) => record.payload),
    bySize: ids(await parcels.queryBySize('M')),
    byLabel: ids(await parcels.queryByLabel('L-9')),
  };
}

/** Never called: tsc must reject each marked line, or @ts-expect-error itself fails. */
export function typeErrors(shipments: ShipmentAggregate, parcels: ParcelAggregate): void {
  // @ts-expect-error: the status key is 'new' | 'packed' | 'sent'
  void shipments.queryByStatus('lost');
  // @ts-expect-error: a sku is a string
  void shipments.queryBySku(7);
  // @ts-expect-error: the size key is S | M | L
  void parcels.queryBySize('XL');
  // @ts-expect-error: the created event takes an ISO string, not a Date (its input type)
  ShipmentEvents.shipmentCreated({ at: new Date(), priority: 'low' });
}
`;

describe('esre generate: schemas whose input and output types differ, refinements, unions and array paths', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = scratchProject('edge');
    cpSync(path.join(FIXTURES, 'edge'), dir, { recursive: true });
  });
  after(() => removeProject(dir));

  it('accepts refined objects (zod 4 and zod/v3), a transformed state, union-of-literal keys and array path indexes', async () => {
    const result = await generate({ cwd: dir });
    expect(result.stubsCreated).to.have.length(7);
    const indexes = readFileSync(path.join(dir, 'src/generated/shipment/indexes.ts'), 'utf8');
    expect(indexes).to.include('const bySkuKeys = (snapshot: Snapshot<ShipmentState>) => snapshot.state.lines.map((line) => line.sku);');
    expect(indexes).to.include(
      'const byDepotKeys = (snapshot: Snapshot<ShipmentState>) => snapshot.state.carrier?.depots.flatMap((depot) => depot.code ?? []);',
    );
    expect(readFileSync(path.join(dir, 'src/generated/parcel/indexes.ts'), 'utf8')).to.include(
      'const byLabelKeys = (snapshot: Snapshot<ParcelState>) => snapshot.state.labels.map((label) => label.code);',
    );
    expect(await unformattedTypeScript(dir, ['src']), 'formatted by construction').to.deep.equal([]);
  });

  it('writes inbound JSON Schemas that accept what zod accepts for coerced fields, outbound ones that describe the output', () => {
    const json = (file: string) => JSON.parse(readFileSync(path.join(dir, 'src/generated', file), 'utf8'));
    const ajv2020 = new Ajv2020({ strict: true }).addFormat('date-time', true);
    const lineAdded = ajv2020.compile(json('shipment/events/inbound/LINE_ADDED.schema.json'));
    const payload = (quantity: unknown) => ({ at: '2026-01-02T03:04:05.000Z', line: { sku: 'A', quantity } });
    expect(lineAdded(payload('3')), 'a numeric string, as zod coerces it').to.equal(true);
    expect(lineAdded(payload(3))).to.equal(true);
    expect(lineAdded({ at: '2026-01-02T03:04:05.000Z' }), 'line is still required').to.equal(false);
    const dispatched = json('shipment/events/outbound/SHIPMENT_DISPATCHED.schema.json');
    expect(dispatched.properties.lines).to.deep.equal({ type: 'number' });
    const weighed = new Ajv({ strict: true }).addFormat('date-time', true).compile(json('parcel/events/inbound/PARCEL_WEIGHED.schema.json'));
    expect(weighed({ at: '2026-01-02T03:04:05.000Z', grams: '1200' })).to.equal(true);
    expect(weighed({ at: '2026-01-02T03:04:05.000Z' })).to.equal(false);
  });

  it('type-checks with tsc --strict once the rules are written, and rejects wrong keys and inputs', async () => {
    for (const [file, source] of Object.entries(RULES)) writeFileSync(path.join(dir, 'src/rules', file), source);
    writeFileSync(path.join(dir, 'scenario.ts'), SCENARIO);
    const tsconfig = JSON.parse(readFileSync(path.join(EXAMPLE, 'tsconfig.json'), 'utf8'));
    tsconfig.include = ['esre.config.ts', 'schemas', 'src', 'scenario.ts'];
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const again = await generate({ cwd: dir });
    expect(again.stubsCreated).to.deep.equal([]);
    const { status, output } = runTsc(dir);
    expect(output).to.equal('');
    expect(status).to.equal(0);
  });

  it('runs: the initial state is the parsed `initial`, payloads are parsed, array paths and unions are keys', async () => {
    const scenario = (await import(pathToFileURL(path.join(dir, 'scenario.ts')).href)) as { run: () => Promise<any> };
    const result = await scenario.run();
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(result.initial).to.deep.equal({ status: 'new', priority: 'low', lines: [], createdAt: new Date(0) });
    expect(result.state).to.deep.equal({
      status: 'sent',
      priority: 'high',
      lines: [
        { sku: 'A-1', quantity: 2 },
        { sku: 'B-2', quantity: 1 },
      ],
      carrier: { name: 'Posten', depots: [{ code: 'OSL' }, {}] },
      createdAt: at,
    });
    expect(result.outbound).to.deep.equal([{ at, lines: 2 }]);
    expect(result.bySku).to.deep.equal(['s-1', 's-2']);
    expect(result.byDepot).to.deep.equal(['s-1']);
    expect(result.byStatus).to.deep.equal(['s-1']);
    expect(result.byPriority).to.deep.equal(['s-2']);
    expect(result.parcelInitial).to.deep.equal({ size: 'S', labels: [], weight: 0, registeredAt: new Date(0) });
    expect(result.parcel).to.deep.equal({ size: 'M', labels: [{ code: 'L-9', printedAt: at }], weight: 1200, registeredAt: at });
    expect(result.parcelOutbound).to.deep.equal([{ weight: 1200, labels: 1 }]);
    expect(result.bySize).to.deep.equal(['p-1']);
    expect(result.byLabel).to.deep.equal(['p-1']);
  });
});
