import { DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { accountAggregate, fill } from '../lib/account.ts';
import { benchTable } from '../lib/dynamodb.ts';
const t = await benchTable();
const agg = accountAggregate(new DynamoEventStore({ client: t.documentClient, tableName: t.tableName }));
let s = Date.now();
await fill(agg, 'x', 5000, 99);
console.log('5000 events', Date.now() - s, 'ms');
await t.close();
