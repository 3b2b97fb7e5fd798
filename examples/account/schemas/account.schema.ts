import * as z from 'zod';
import { defineAggregate } from 'event-sourced-rules-engine/schema';

/** A bank account: opened, money in and out with an overdraft limit, a changeable email. */
export default defineAggregate({
  name: 'account',
  type: 'ACCOUNT',
  description: 'A bank account with an overdraft limit; withdrawals beyond it are rejected.',
  state: z.object({
    status: z.enum(['new', 'open']),
    owner: z.string(),
    email: z.string(),
    balance: z.number(),
    overdraftLimit: z.number().nonnegative(),
  }),
  initial: { status: 'new', owner: '', email: '', balance: 0, overdraftLimit: 0 },
  inbound: {
    ACCOUNT_OPENED: z.object({ owner: z.string().min(1), email: z.email(), overdraftLimit: z.number().nonnegative().default(0) }),
    MONEY_DEPOSITED: z.object({ amount: z.number().positive() }),
    MONEY_WITHDRAWN: z.object({ amount: z.number().positive() }),
    EMAIL_CHANGED: z.object({ email: z.email() }),
  },
  outbound: {
    BALANCE_CHANGED: z.object({ balance: z.number(), change: z.number() }),
    WITHDRAWAL_REJECTED: z.object({ amount: z.number(), balance: z.number(), reason: z.enum(['overdraft-limit', 'account-not-open']) }),
  },
  indexes: { byEmail: 'email' },
});
