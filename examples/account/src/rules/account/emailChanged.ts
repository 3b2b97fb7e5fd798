// Created by esre from schemas/account.schema.ts. This file is yours: esre never overwrites it.
// Implemented by hand.

import type { AccountRule } from '../../generated/account/types.js';

/**
 * The rule for EMAIL_CHANGED: returns the Account state after the event.
 * `current` is the event's payload, `state` the state so far (yours to change and return),
 * and `publish(type, payload)` takes only the declared outbound events.
 */
const emailChangedRule: AccountRule<'EMAIL_CHANGED'> = ({ state, current }) => {
  state.email = current.email;
  return state;
};

export default emailChangedRule;
