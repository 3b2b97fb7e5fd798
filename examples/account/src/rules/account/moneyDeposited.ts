// Created by esre from schemas/account.schema.ts. This file is yours: esre never overwrites it.
// Implemented by hand.

import type { AccountRule } from '../../generated/account/types.js';

/**
 * The rule for MONEY_DEPOSITED: returns the Account state after the event.
 * `current` is the event's payload, `state` the state so far (yours to change and return),
 * and `publish(type, payload)` takes only the declared outbound events.
 */
const moneyDepositedRule: AccountRule<'MONEY_DEPOSITED'> = ({ state, current, publish }) => {
  state.balance += current.amount;
  publish('BALANCE_CHANGED', { balance: state.balance, change: current.amount });
  return state;
};

export default moneyDepositedRule;
