//! Template of a rule stub: created once per inbound event, then owned by the user.
import type { TemplateRule } from '../types.js';

/**
 * The rule for SOMETHING_HAPPENED: returns the Template state after the event.
 * `current` is the event's payload, `state` the state so far (yours to change and return),
 * and `publish(type, payload)` takes only the declared outbound events.
 */
const somethingHappenedRule: TemplateRule<'SOMETHING_HAPPENED'> = ({ state, current, publish }) => {
  // esre:stub: write this rule, then delete this line and the throw below (`esre check` looks for the marker).
  throw new Error('The SOMETHING_HAPPENED rule of Template is not implemented yet (esre:stub)');
};

export default somethingHappenedRule;
