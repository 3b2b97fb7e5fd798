import { expect } from 'chai';
import { createEvent } from 'event-sourced-rules-engine';
describe('smoke', () => { it('resolves the package by name', () => { expect(createEvent('A', {}).id).to.have.length(26); }); });
