//! Template of an upcaster stub: created once per version step of a versioned inbound event,
//! then owned by the user. Written for the sample's SOMETHING_HAPPENED, versions 1 → 2.
//! `SomethingHappenedPayload` (the current version in the sample) becomes the next version's type.
import type { SomethingHappenedV1Payload, SomethingHappenedPayload } from '../../types.js';

/**
 * Turns a SOMETHING_HAPPENED payload stored at schema version 1 into version 2. The runtime
 * calls it while it reads stored events, so rules and readers only see current payloads.
 * Return the new payload; nothing parses it afterwards, so fill every field version 2 needs.
 */
export default function somethingHappenedV1ToV2(payload: SomethingHappenedV1Payload): SomethingHappenedPayload {
  // esre:stub: write this upcaster, then delete this line and the throw below (`esre check` looks for the marker).
  throw new Error('The SOMETHING_HAPPENED upcaster of Template from version 1 to 2 is not implemented yet (esre:stub)');
}
