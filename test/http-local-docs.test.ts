/**
 * docs/http-service.md, "Try it on your machine": the block runs as written in the account
 * example's folder (its generated api.ts) against DynamoDB Local, with the endpoint and the
 * table the block's environment variables name.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO } from './compiler.support.js';
import { useDynamoDBLocal } from './support/dynamodb-local.js';
import { codeBlocks } from './support/markdown.js';

describe('docs/http-service.md: trying the generated handler on your machine', function () {
  this.timeout(120_000);
  const local = useDynamoDBLocal();
  const file = path.join(REPO, 'examples/account', `.try-api-${process.pid}.ts`);
  after(() => rmSync(file, { force: true }));

  it('creates the table (again without failing), then answers 201, 400 with the issue path, and 200 with the snapshot', () => {
    const block = codeBlocks(REPO, 'docs/http-service.md').find((candidate) => candidate.code.includes("await import('./src/generated/account/api.js')"));
    expect(block, 'the try-it block').to.not.equal(undefined);
    writeFileSync(file, block!.code);
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
    Object.assign(env, { AWS_ENDPOINT_URL_DYNAMODB: local().server.endpoint, EVENT_STORE_TABLE_NAME: `try-api-${process.pid}`, AWS_EC2_METADATA_DISABLED: 'true' });
    const runs = [1, 2].map(() =>
      spawnSync(process.execPath, ['--conditions=esre-source', '--import', 'tsx', file], { cwd: path.dirname(file), env, encoding: 'utf8' }),
    );
    for (const run of runs) {
      expect(run.status, run.stderr).to.equal(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines.map((line) => line.split(' ')[0])).to.deep.equal(['201', '400', '200']);
      const problem = JSON.parse(lines[1]!.slice(4)) as { issues: { path: string }[] };
      expect(problem.issues.map((issue) => issue.path)).to.deep.equal(['/events/0/payload/amount']);
      const snapshot = JSON.parse(lines[2]!.slice(4)) as { state: { owner: string; balance: number }; sequence: number };
      expect(snapshot.state).to.include({ owner: 'Ada', balance: 0 });
      expect(snapshot.sequence).to.equal(1);
    }
  });
});
