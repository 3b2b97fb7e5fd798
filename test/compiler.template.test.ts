import { expect } from 'chai';
import { instantiate } from 'event-sourced-rules-engine/compiler';
import { camelCase, kebabCase, pascalCase } from '../compiler/names.js';

describe('esre templates: instantiate', () => {
  it('replaces tokens where no identifier character precedes them, longest first', () => {
    const text = 'type TemplateState = MyTemplate; const templateRules = template; // template.schema';
    expect(instantiate(text, { tokens: { Template: 'Account', template: 'account', 'template.schema': 'x.schema' } })).to.equal(
      'type AccountState = MyTemplate; const accountRules = account; // x.schema',
    );
  });

  it('repeats @each blocks per item, in one pass with the file tokens, and drops //! notes', () => {
    const text = ['//! a note about the template', 'interface TemplateMap {', '  // @each inbound', '  SOMETHING_HAPPENED: SomethingHappenedPayload;', '  // @end', '}'].join('\n');
    const result = instantiate(text, {
      tokens: { Template: 'Account' },
      lists: {
        inbound: [
          { SOMETHING_HAPPENED: 'TEMPLATE_MADE', SomethingHappened: 'TemplateMade' },
          { SOMETHING_HAPPENED: 'MONEY_DEPOSITED', SomethingHappened: 'MoneyDeposited' },
        ],
      },
    });
    // an event named after the token itself is not replaced twice
    expect(result).to.equal(['interface AccountMap {', '  TEMPLATE_MADE: TemplateMadePayload;', '  MONEY_DEPOSITED: MoneyDepositedPayload;', '}'].join('\n'));
  });

  it('drops an @each block whose list is empty, and rejects an unknown list or a missing @end', () => {
    expect(instantiate('a\n// @each index\nx\n// @end\nb', { tokens: {}, lists: { index: [] } })).to.equal('a\nb');
    expect(() => instantiate('// @each nothing\n// @end', { tokens: {} })).to.throw('no list named nothing');
    expect(() => instantiate('// @each index\nx', { tokens: {}, lists: { index: [] } })).to.throw('@each index has no @end');
  });

  it('nests @each blocks: an inner block is repeated per item of its own list, inside each outer item, with the outer item’s tokens', () => {
    const text = ['// @each outer', 'open NAME', '  // @each inner', '  NAME has ITEM', '  // @end', 'close NAME', '// @end', 'end'].join('\n');
    const lists = { outer: [{ NAME: 'a' }, { NAME: 'b' }], inner: [{ ITEM: 'x' }, { ITEM: 'y' }] };
    expect(instantiate(text, { tokens: {}, lists })).to.equal(['open a', '  a has x', '  a has y', 'close a', 'open b', '  b has x', '  b has y', 'close b', 'end'].join('\n'));
    expect(instantiate(text, { tokens: {}, lists: { ...lists, inner: [] } })).to.equal(['open a', 'close a', 'open b', 'close b', 'end'].join('\n'));
    expect(() => instantiate('// @each outer\n// @each inner\nx\n// @end', { tokens: {}, lists })).to.throw('@each outer has no @end');
  });

  it('derives names from event types and aggregate names', () => {
    expect(pascalCase('MONEY_DEPOSITED')).to.equal('MoneyDeposited');
    expect(camelCase('MONEY_DEPOSITED')).to.equal('moneyDeposited');
    expect(camelCase('moneyDeposited')).to.equal('moneyDeposited');
    expect(kebabCase('bankAccount')).to.equal('bank-account');
    expect(pascalCase('HTTPRequestSent')).to.equal('HttpRequestSent');
  });
});
