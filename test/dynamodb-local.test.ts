import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DYNAMODB_LOCAL_CLIENT_CONFIG,
  type DynamoDBLocalServer,
  freePort,
  sharedDynamoDBLocal,
  startDynamoDBLocal,
  useDynamoDBLocal,
} from './support/dynamodb-local.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const MOCHA = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');

/** A child process in a process group of its own (as a terminal runs a foreground command). */
interface GroupRun {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the output once it matches `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Sends a signal to every process of the group (what Ctrl-C does with SIGINT). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code once the process has ended. */
  readonly closed: Promise<number | null>;
  /** Once `closed` resolved: whether some process of the group (a java, say) outlived it. */
  leftBehind(): boolean;
}

/**
 * Starts `node <args>` (cwd: the repository) in its own process group. Whatever happens, after
 * `timeoutMs`, or once the process has ended, the whole group is killed, so a test never leaves
 * a java process behind.
 */
function runInGroup(args: string[], timeoutMs: number): GroupRun {
  const child = spawn(process.execPath, args, { cwd: join(HERE, '..'), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is gone already
    }
  };
  const timer = setTimeout(() => {
    output += `\n[killed after ${timeoutMs} ms]`;
    signal('SIGKILL');
  }, timeoutMs);
  let ended = false;
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  }).finally(async () => {
    ended = true;
    clearTimeout(timer);
    // A process that has just exited may take a moment to be reaped; wait for that, briefly.
    for (let tries = 0; groupExists(child.pid!) && tries < 50; tries++) await new Promise((r) => setTimeout(r, 100));
    survivors = groupExists(child.pid!);
    signal('SIGKILL'); // whatever the run left behind
    for (const listener of [...listeners]) listener();
  });
  let survivors = false;
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (pattern.test(output)) {
          listeners.delete(check);
          resolve(output);
        } else if (ended) {
          listeners.delete(check);
          reject(new Error(`ended before printing ${pattern}:\n${output}`));
        }
      };
      listeners.add(check);
      check();
    });
  return { output: () => output, waitFor, signal, closed, leftBehind: () => survivors };
}

/** Whether any process of the process group `pgid` still exists. */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** npm's CLI script: the one running this test (`npm test`), or the one next to this node. */
const NPM_CLI =
  process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)
    ? process.env.npm_execpath
    : join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

/** Whether a TCP connection to host:port succeeds. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
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

  it('listens on 127.0.0.1 only: another loopback address (bound by a server on all interfaces) is refused', async () => {
    const { port } = local().server;
    expect(await connects('127.0.0.1', port)).to.equal(true);
    // On Linux all of 127.0.0.0/8 reaches a server bound to 0.0.0.0; DynamoDB Local's own entry
    // point binds that way, the harness's launcher does not.
    const wildcard = createServer().listen(0, '0.0.0.0');
    await once(wildcard, 'listening');
    try {
      const reachable = await connects('127.0.0.2', (wildcard.address() as AddressInfo).port);
      if (reachable) expect(await connects('127.0.0.2', port)).to.equal(false);
    } finally {
      wildcard.close();
    }
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
    const run = runInGroup([MOCHA, join(HERE, 'support', 'dynamodb-local-failing-run.ts')], 90_000);
    const code = await run.closed;
    const output = run.output();
    expect(output).to.include('deliberate failure');
    expect(code, output).to.equal(1); // mocha's exit code: one failing test
    const pid = Number(/DYNAMODB_LOCAL_PID=(\d+)/.exec(output)?.[1]);
    expect(pid, output).to.be.greaterThan(0);
    expect(output).to.include('DYNAMODB_LOCAL_RUNNING_AFTER_RUN=false');
    expect(isRunning(pid)).to.equal(false);
  });

  it('`npm run dynamodb` serves on 127.0.0.1 in the foreground until Ctrl-C, then leaves no java behind', async function () {
    this.timeout(120_000);
    const port = await freePort();
    const run = runInGroup([NPM_CLI, 'run', '--silent', 'dynamodb', '--', String(port)], 90_000);
    await run.waitFor(/Ctrl-C stops it/);
    expect(run.output()).to.include(`DynamoDB Local (in memory) at http://127.0.0.1:${port}`);
    const client = new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint: `http://127.0.0.1:${port}` });
    try {
      const { TableNames } = await client.send(new ListTablesCommand({}));
      expect(TableNames).to.deep.equal([], 'a fresh in-memory server');
    } finally {
      client.destroy();
    }
    run.signal('SIGINT'); // what Ctrl-C in a terminal does: SIGINT to the foreground process group
    await run.closed;
    expect(run.output()).to.not.include('[killed after');
    expect(run.leftBehind(), `no process of \`npm run dynamodb\` outlives it:\n${run.output()}`).to.equal(false);
  });
});
