/**
 * Where the browser tests find Chromium: `CHROMIUM_PATH`, else `/usr/bin/chromium`, else the
 * devDependency `@sparticuz/chromium`; and every browser test launches it through that one module.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { locateChromium, SYSTEM_CHROMIUM } from './support/browser/chromium.js';

describe('the Chromium the browser tests launch', function () {
  this.timeout(60_000);

  it('is CHROMIUM_PATH when it is set, even when /usr/bin/chromium exists', async () => {
    const location = await locateChromium({ CHROMIUM_PATH: '/opt/chrome/chrome' }, () => true);
    expect(location).to.include({ source: 'CHROMIUM_PATH', executablePath: '/opt/chrome/chrome' });
  });

  it('refuses a CHROMIUM_PATH that does not exist, naming it, instead of silently using another browser', async () => {
    const error = await locateChromium({ CHROMIUM_PATH: '/nowhere/chromium' }, (path) => path === SYSTEM_CHROMIUM).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain('/nowhere/chromium');
  });

  it('is /usr/bin/chromium when CHROMIUM_PATH is unset and it exists', async () => {
    const location = await locateChromium({}, (path) => path === SYSTEM_CHROMIUM);
    expect(location).to.include({ source: SYSTEM_CHROMIUM, executablePath: SYSTEM_CHROMIUM });
  });

  it('is the Chromium unpacked from @sparticuz/chromium when there is no other, with its args', async () => {
    const location = await locateChromium({}, () => false);
    expect(location.source).to.equal('@sparticuz/chromium');
    expect(existsSync(location.executablePath), location.executablePath).to.equal(true);
    expect(location.args).to.include('--no-sandbox');
    expect(location.args, 'single-process mode crashes when a test closes a context').not.to.include('--single-process');
  });

  it('is launched by every browser test through test/support/browser/chromium.ts, never by playwright directly', () => {
    const launching = readdirSync('test')
      .filter((name) => name.endsWith('.ts') && name !== 'chromium-launcher.test.ts')
      .filter((name) => /\bchromium\.launch\(|executablePath:/.test(readFileSync(`test/${name}`, 'utf8')));
    expect(launching).to.deep.equal([]);
  });
});
