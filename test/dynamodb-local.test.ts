import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DynamoDBLocalServer, sharedDynamoDBLocal, startDynamoDBLocal, useDynamoDBLocal } from './support/dynamodb-local.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const MOCHA = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');

/**
 * Runs mocha on one file in a child process of its own process group; resolves with its exit
 * code and output. If it has not ended after `timeoutMs`, the whole group (mocha's own child
 * process and any java it started) is killed, so a hanging run leaves nothing behind.
 */
function runMocha(file: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MOCHA, file], { cwd: join(HERE, '..'), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      killGroup();
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      killGroup(); // whatever the run left behind
      resolve({ code, output });
    });
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('the DynamoDB Local test harness', function () {
  this.timeout(90_000);
  const local = useDynamoDBLocal();

  it('shares one server per test run, on a loopback endpoint', async () => {
    expect(await sharedDynamoDBLocal()).to.equal(local().server);
    expect(local().server.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { TableNames } = await local().client.send(new ListTablesCommand({}));
    expect(TableNames).to.be.an('array');
  });

  describe('a server of its own', () => {
    let server: DynamoDBLocalServer | undefined;
    after(async () => server?.stop());

    it('starts on another free port and stop() ends its java process', async () => {
      server = await startDynamoDBLocal();
      expect(server.port).to.not.equal(local().server.port);
      expect(isRunning(server.pid)).to.equal(true);
      await server.stop();
      expect(isRunning(server.pid)).to.equal(false);
      await server.stop(); // stopping twice is harmless
    });
  });

  it('stops the shared server by its process id when a run ends with a failing test', async function () {
    this.timeout(120_000);
    const { code, output } = await runMocha(join(HERE, 'support', 'dynamodb-local-failing-run.ts'), 90_000);
    expect(output).to.include('deliberate failure');
    expect(code, output).to.equal(1); // mocha's exit code: one failing test
    const pid = Number(/DYNAMODB_LOCAL_PID=(\d+)/.exec(output)?.[1]);
    expect(pid, output).to.be.greaterThan(0);
    expect(output).to.include('DYNAMODB_LOCAL_RUNNING_AFTER_RUN=false');
    expect(isRunning(pid)).to.equal(false);
  });
});
