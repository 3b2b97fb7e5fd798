import { InMemoryEventStore } from 'event-sourced-rules-engine';
import { describeEventStoreContract } from 'event-sourced-rules-engine/testing';

describe('InMemoryEventStore', () => {
  const store = new InMemoryEventStore();
  describeEventStoreContract('InMemoryEventStore (shared store)', () => store);
  describeEventStoreContract('InMemoryEventStore (small pages)', () => new InMemoryEventStore({ pageSize: 7 }));
});
