// docs/outbox-delivery.md states the defaults of the delivery settings; they are the code's.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MARGIN_MS,
  EventBridgeOutboxPublisher,
} from 'event-sourced-rules-engine/eventbridge';

const page = readFileSync(new URL('../docs/outbox-delivery.md', import.meta.url), 'utf8');

/** The "default" cell of the settings table's row for `setting`. */
function documentedDefault(setting: string): string {
  const row = page.split('\n').find((line) => line.startsWith(`| \`${setting}\` |`));
  expect(row, `a row for ${setting} in docs/outbox-delivery.md`).to.be.a('string');
  return row!.split('|')[3]!.trim();
}

describe('docs/outbox-delivery.md', () => {
  it('gives the publisher request timeout the code uses by default', () => {
    expect(documentedDefault('requestTimeoutMs')).to.equal(`\`${DEFAULT_REQUEST_TIMEOUT_MS}\` ms (\`DEFAULT_REQUEST_TIMEOUT_MS\`)`);
    expect(new EventBridgeOutboxPublisher({ source: 'docs' }).requestTimeoutMs).to.equal(DEFAULT_REQUEST_TIMEOUT_MS);
  });

  it('gives the handler margin before the function timeout the code uses by default', () => {
    expect(documentedDefault('timeoutMarginMs')).to.equal(`\`${DEFAULT_TIMEOUT_MARGIN_MS}\` ms (\`DEFAULT_TIMEOUT_MARGIN_MS\`)`);
  });
});
