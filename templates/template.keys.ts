//! A sample hand-written index key function module, imported by the indexes template.
import type { Snapshot } from 'event-sourced-rules-engine';
import type { TemplateState } from './types.js';

export function keyFunction(snapshot: Snapshot<TemplateState>): string | null {
  return snapshot.state.key ? snapshot.state.key.toLowerCase() : null;
}
