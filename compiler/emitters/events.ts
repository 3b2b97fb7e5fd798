import { codeFileEmitter } from './code.js';

/** `events.ts`: typed creators of inbound events (`AccountEvents.moneyDeposited({ amount })`). */
export const eventsEmitter = codeFileEmitter('events', 'events.ts', 'typed event creators');
