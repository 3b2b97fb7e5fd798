// Created by esre from schemas/account.schema.ts. This file is yours: esre never overwrites it.
// Implemented by hand.

import type { AccountRule } from '../../generated/account/types.js';

/**
 * The rule for ACCOUNT_OPENED: returns the Account state after the event.
 * `current` is the event's payload, `state` the state so far (yours to change and return),
 * and `publish(type, payload)` takes only the declared outbound events.
 */
const accountOpenedRule: AccountRule<'ACCOUNT_OPENED'> = ({ state, current }) => {
  state.status = 'open';
  state.owner = current.owner;
  state.email = current.email;
  state.overdraftLimit = current.overdraftLimit;
  return state;
};

export default accountOpenedRule;
