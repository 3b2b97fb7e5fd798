//! Template of `rules.index.ts`: wires the rule files into one typed record.
// @each inbound
import somethingHappenedRule from './rules/somethingHappened.js';
// @end
import type { TemplateRules } from './types.js';

/** The rules of Template, one per inbound event, from the rule files. */
export const templateRules: TemplateRules = {
  // @each inbound
  SOMETHING_HAPPENED: somethingHappenedRule,
  // @end
};
