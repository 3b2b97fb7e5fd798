//! The sample schema module the templates are written against. It is never emitted: the
//! emitters replace `Template`/`template` with the aggregate's names and repeat `@each` blocks.
import { z } from 'zod';
import { defineAggregate, versioned } from 'event-sourced-rules-engine/schema';

export default defineAggregate({
  name: 'template',
  type: 'TEMPLATE',
  state: z.object({ key: z.string(), count: z.number() }),
  initial: { key: '', count: 0 },
  inbound: {
    SOMETHING_HAPPENED: versioned({ 1: z.object({ name: z.string() }), 2: z.object({ key: z.string() }) }),
  },
  outbound: { SOMETHING_PUBLISHED: z.object({ count: z.number() }) },
  indexes: { byKey: 'key', byOther: { module: './template.keys.ts', export: 'keyFunction' } },
});
