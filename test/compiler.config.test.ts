import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, generate, loadConfig } from 'event-sourced-rules-engine/compiler';
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
