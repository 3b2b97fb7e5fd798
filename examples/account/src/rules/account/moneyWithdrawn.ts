// Created by esre from schemas/account.schema.ts. This file is yours: esre never overwrites it.
// Implemented by hand.

import type { AccountRule } from '../../generated/account/types.js';

/**
 * The rule for MONEY_WITHDRAWN: returns the Account state after the event.
 * `current` is the event's payload, `state` the state so far (yours to change and return),
 * and `publish(type, payload)` takes only the declared outbound events.
 */
const moneyWithdrawnRule: AccountRule<'MONEY_WITHDRAWN'> = ({ state, current, publish }) => {
  if (state.status !== 'open') {
    publish('WITHDRAWAL_REJECTED', { amount: current.amount, balance: state.balance, reason: 'account-not-open' });
    return state;
  }
  // The overdraft rule: the balance may not go below minus the overdraft limit.
  if (state.balance - current.amount < -state.overdraftLimit) {
    publish('WITHDRAWAL_REJECTED', { amount: current.amount, balance: state.balance, reason: 'overdraft-limit' });
    return state;
  }
  state.balance -= current.amount;
  publish('BALANCE_CHANGED', { balance: state.balance, change: -current.amount });
  return state;
};

export default moneyWithdrawnRule;
