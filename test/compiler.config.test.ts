import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, generate, loadConfig, plan } from 'event-sourced-rules-engine/compiler';
import { EXAMPLE, removeProject, runCli, scratchProject } from './compiler.support.js';

/** Rejects with the error `promise` fails with (or fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

describe('esre.config.ts: defineConfig, defaults and errors', function () {
  this.timeout(60_000);
  let dir: string;
  const config = (text: string, name = 'esre.config.ts') => writeFileSync(path.join(dir, name), text);
  const head = "import { defineConfig } from 'event-sourced-rules-engine/schema';\n\nexport default defineConfig(";
  const service = "service: { name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus' }";

  before(() => {
    dir = scratchProject('config');
    mkdirSync(path.join(dir, 'schemas'));
    copyFileSync(path.join(EXAMPLE, 'schemas/account.schema.ts'), path.join(dir, 'schemas/account.schema.ts'));
  });
  after(() => removeProject(dir));

  it('resolves paths against the config file and applies the defaults', async () => {
    config(`${head}{ schemas: 'schemas/*.schema.ts', ${service} });\n`);
    const resolved = await loadConfig({ cwd: dir });
    expect(resolved.root).to.equal(dir);
    expect(resolved.schemas).to.deep.equal(['schemas/*.schema.ts']);
    expect(resolved.output).to.equal(path.join(dir, 'src/generated'));
    expect(resolved.rules).to.equal(path.join(dir, 'src/rules'));
    expect(resolved.cdkOutput).to.equal(path.join(dir, 'infra'));
    expect(resolved.service).to.deep.equal({ name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus' });
    expect(resolved.api, 'the HTTP service is off unless asked for').to.equal(null);
  });

  describe('service.api: the HTTP service', () => {
    const withApi = (api: string, extra = '') => `${head}{ schemas: 'schemas/*.schema.ts', service: { name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus', api: ${api} }${extra} });\n`;
    const defaults = { auth: 'iam', maxBodyBytes: 262_144, throttling: { rateLimit: 50, burstLimit: 100 } };

    it('api: true means every default: IAM auth, 256 KiB bodies, 50 requests/s with bursts of 100', async () => {
      config(withApi('true'), 'api.config.ts');
      const resolved = await loadConfig({ cwd: dir, config: 'api.config.ts' });
      expect(resolved.api).to.deep.equal(defaults);
      expect(resolved.service, 'the service keeps its names only').to.deep.equal({ name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus' });
    });

    it('api: false is off, like no api at all', async () => {
      config(withApi('false'), 'api.config.ts');
      expect((await loadConfig({ cwd: dir, config: 'api.config.ts' })).api).to.equal(null);
    });

    it('an object overrides the defaults it names and keeps the others', async () => {
      config(withApi("{ auth: 'none', throttling: { burstLimit: 20 } }"), 'api.config.ts');
      expect((await loadConfig({ cwd: dir, config: 'api.config.ts' })).api).to.deep.equal({ auth: 'none', maxBodyBytes: 262_144, throttling: { rateLimit: 50, burstLimit: 20 } });
      config(withApi('{ maxBodyBytes: 1024, throttling: { rateLimit: 2.5 } }'), 'api.config.ts');
      expect((await loadConfig({ cwd: dir, config: 'api.config.ts' })).api).to.deep.equal({ auth: 'iam', maxBodyBytes: 1024, throttling: { rateLimit: 2.5, burstLimit: 100 } });
    });

    it('api.cors: off unless given; given, its origins, its extra headers in lower case, maxAge 600 s unless given', async () => {
      config(withApi("{ cors: { allowOrigins: ['https://app.example.com', 'http://localhost:5173'], allowHeaders: ['X-Request-Id'] } }"), 'api.config.ts');
      expect((await loadConfig({ cwd: dir, config: 'api.config.ts' })).api).to.deep.equal({
        ...defaults,
        cors: { allowOrigins: ['https://app.example.com', 'http://localhost:5173'], allowHeaders: ['x-request-id'], maxAge: 600 },
      });
      config(withApi("{ auth: 'none', cors: { allowOrigins: ['*'], maxAge: 0 } }"), 'api.config.ts');
      expect((await loadConfig({ cwd: dir, config: 'api.config.ts' })).api?.cors).to.deep.equal({ allowOrigins: ['*'], allowHeaders: [], maxAge: 0 });
    });

    it('api with cdk: false is allowed (handlers without a stack)', async () => {
      config(withApi('true', ', cdk: false'), 'api.config.ts');
      const resolved = await loadConfig({ cwd: dir, config: 'api.config.ts' });
      expect(resolved.cdkOutput).to.equal(null);
      expect(resolved.api).to.deep.equal(defaults);
    });

    const bad: [string, string, string][] = [
      ['an unknown auth', "{ auth: 'cognito' as never }", `esre.config.ts: service.api.auth: must be 'iam' or 'none' (found "cognito")`],
      ['a fractional body limit', '{ maxBodyBytes: 10.5 }', 'esre.config.ts: service.api.maxBodyBytes: must be a whole number of bytes from 1 to 6291456'],
      ['a body limit above what Lambda accepts', '{ maxBodyBytes: 7_000_000 }', 'esre.config.ts: service.api.maxBodyBytes: must be a whole number of bytes from 1 to 6291456'],
      ['a zero rate', '{ throttling: { rateLimit: 0 } }', 'esre.config.ts: service.api.throttling.rateLimit: must be a positive number of requests per second (found 0)'],
      ['a negative burst', '{ throttling: { burstLimit: -1 } }', 'esre.config.ts: service.api.throttling.burstLimit: must be a positive whole number of requests (found -1)'],
      ['a string', "'yes' as never", 'esre.config.ts: service.api: must be true, false or { auth, maxBodyBytes, throttling, cors }'],
      ['cors without origins', '{ cors: { allowOrigins: [] } }', 'esre.config.ts: service.api.cors.allowOrigins: give the origins allowed to call the API from a browser'],
      ['a cors origin with a path', "{ cors: { allowOrigins: ['https://app.example.com/app'] } }", 'service.api.cors.allowOrigins: "https://app.example.com/app" is not written as browsers send it in Origin (API Gateway compares exactly): write "https://app.example.com"'],
      ['a cors origin pattern', "{ cors: { allowOrigins: ['https://*.example.com'] } }", 'service.api.cors.allowOrigins: "https://*.example.com" is a pattern; list each origin'],
      ["'*' among cors origins", "{ cors: { allowOrigins: ['*', 'http://localhost:5173'] } }", 'service.api.cors.allowOrigins: "*" allows every origin: give it alone'],
      ['a cors header that is no header name', "{ cors: { allowOrigins: ['*'], allowHeaders: ['x id'] } }", 'service.api.cors.allowHeaders: "x id" is not a header name'],
      ['a cors maxAge over a day', "{ cors: { allowOrigins: ['*'], maxAge: 90_000 } }", 'service.api.cors.maxAge: must be a whole number of seconds from 0 to 86400 (found 90000)'],
      ['cors as a list', "{ cors: ['https://app.example.com'] as never }", 'service.api.cors: must be { allowOrigins, allowHeaders?, maxAge? }'],
    ];
    for (const [what, api, message] of bad) {
      it(`rejects ${what} with a ConfigError naming the field`, async () => {
        config(withApi(api));
        const error = await rejection(loadConfig({ cwd: dir }));
        expect(error).to.be.instanceOf(ConfigError);
        expect(error.message).to.include(message);
      });
    }

    it('AggregateModel.api: on for every aggregate unless its schema module says api: false; off for all when service.api is off', async () => {
      const schemas = path.join(dir, 'api-schemas');
      mkdirSync(schemas, { recursive: true });
      const account = readFileSync(path.join(EXAMPLE, 'schemas/account.schema.ts'), 'utf8');
      writeFileSync(path.join(schemas, 'account.schema.ts'), account);
      const optedOut = account.replace("name: 'account',\n  type: 'ACCOUNT',", "name: 'ledger',\n  type: 'LEDGER',\n  api: false,");
      expect(optedOut, 'the example names its aggregate as this test expects').to.not.equal(account);
      writeFileSync(path.join(schemas, 'ledger.schema.ts'), optedOut);
      const project = (api: string) =>
        `${head}{ schemas: 'api-schemas/*.schema.ts', output: 'api/generated', rules: 'api/rules', service: { name: 'svc', eventSource: 'com.example.svc', eventBusName: 'bus', api: ${api} } });\n`;
      config(project('true'), 'api.config.ts');
      const on = await plan({ cwd: dir, config: 'api.config.ts' });
      expect(on.model.aggregates.map((aggregate) => [aggregate.name, aggregate.api])).to.deep.equal([['account', true], ['ledger', false]]);
      config(project('false'), 'api.config.ts');
      const off = await plan({ cwd: dir, config: 'api.config.ts' });
      expect(off.model.aggregates.map((aggregate) => [aggregate.name, aggregate.api])).to.deep.equal([['account', false], ['ledger', false]]);
    });
  });

  it('reads another config file with --config / { config }', async () => {
    config(`${head}{ schemas: ['schemas/*.schema.ts'], output: 'out/code', rules: 'out/rules', ${service} });\n`, 'other.config.ts');
    const resolved = await loadConfig({ cwd: dir, config: 'other.config.ts' });
    expect(resolved.output).to.equal(path.join(dir, 'out/code'));
    expect(resolved.rules).to.equal(path.join(dir, 'out/rules'));
  });

  it('cdk: false generates no CDK stack, app or cdk.json', async () => {
    config(`${head}{ schemas: 'schemas/*.schema.ts', output: 'nocdk/generated', rules: 'nocdk/rules', cdk: false, ${service} });\n`, 'nocdk.config.ts');
    const resolved = await loadConfig({ cwd: dir, config: 'nocdk.config.ts' });
    expect(resolved.cdkOutput).to.equal(null);
    await generate({ cwd: dir, config: 'nocdk.config.ts' });
    expect(existsSync(path.join(dir, 'nocdk/generated/account/aggregate.ts')), 'the aggregate is generated').to.equal(true);
    expect(existsSync(path.join(dir, 'infra')), 'no infra/').to.equal(false);
    expect(existsSync(path.join(dir, 'cdk.json')), 'no cdk.json').to.equal(false);
  });

  const invalid: [string, string, string][] = [
    ['no service', `${head}{ schemas: ['schemas/*.schema.ts'] } as never);\n`, 'esre.config.ts: service: give { name, eventSource, eventBusName }'],
    [
      'an empty event source',
      `${head}{ schemas: ['schemas/*.schema.ts'], service: { name: 'svc', eventSource: '', eventBusName: 'bus' } });\n`,
      'esre.config.ts: service.eventSource: must be a non-empty string',
    ],
    ['no schema globs', `${head}{ schemas: [], ${service} });\n`, 'esre.config.ts: schemas: give one or more globs'],
    [
      'rules inside the output folder',
      `${head}{ schemas: ['schemas/*.schema.ts'], output: 'src', rules: 'src/rules', ${service} });\n`,
      'esre.config.ts: rules: the rules folder and the output folder must not contain each other',
    ],
    ['globs that match nothing', `${head}{ schemas: ['nothing/*.schema.ts'], ${service} });\n`, 'no schema modules match nothing/*.schema.ts'],
  ];
  for (const [what, text, message] of invalid) {
    it(`rejects ${what} with a ConfigError naming the field, and writes nothing`, async () => {
      config(text);
      const error = await rejection(generate({ cwd: dir }));
      expect(error).to.be.instanceOf(ConfigError);
      expect(error.message).to.include(message);
      expect(existsSync(path.join(dir, 'src')), 'nothing written').to.equal(false);
    });
  }

  it('a missing config file names the folder; the CLI exits 1 for it and 2 for bad usage', async () => {
    const empty = scratchProject('config-empty');
    try {
      const error = await rejection(generate({ cwd: empty }));
      expect(error).to.be.instanceOf(ConfigError);
      expect(error.message).to.equal(`no esre.config.ts in ${empty} or any folder above it (or pass --config <file>)`);
      const cli = runCli(['generate'], empty);
      expect(cli.status).to.equal(1);
      expect(cli.stderr).to.include('esre: no esre.config.ts in');
      const usage = runCli(['gen'], empty);
      expect(usage.status).to.equal(2);
      expect(usage.stderr).to.include('esre: unknown command "gen"');
      expect(usage.stderr).to.include('Usage:');
      expect(runCli(['check', '--watch'], empty).status).to.equal(2);
      const version = runCli(['--version'], empty);
      expect(version.stdout.trim()).to.equal(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    } finally {
      removeProject(empty);
    }
  });
});
