// `npx cdk synth` of examples/account, as a user runs it, with no AWS credentials or config.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const EXAMPLE = fileURLToPath(new URL('../examples/account/', import.meta.url));

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npx cdk synth in examples/account', function () {
  this.timeout(180_000);
  let scratch: string;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'esre-cdk-synth-'));
  });
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('synthesizes the stack offline, without AWS credentials, bundling the handler without Docker', async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !key.startsWith('CDK_')) env[key] = value;
    Object.assign(env, {
      HOME: scratch, // no ~/.aws: no profile, no credentials
      AWS_EC2_METADATA_DISABLED: 'true', // do not wait for an instance metadata service
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      NODE_OPTIONS: '', // the test runner's loader options are not the app's business
      PATH: `${path.join(EXAMPLE, '../../node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
      DOCKER_HOST: 'unix:///nonexistent/docker.sock', // bundling must not need Docker
    });
    const out = path.join(scratch, 'cdk.out');
    const { code, output } = await run('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', out], { cwd: EXAMPLE, env });
    expect(code, output).to.equal(0);

    const template = JSON.parse(readFileSync(path.join(out, 'account-service.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types).to.include.members([
      'AWS::DynamoDB::GlobalTable',
      'AWS::Events::EventBus',
      'AWS::Lambda::Function',
      'AWS::Lambda::EventSourceMapping',
      'AWS::SQS::Queue',
      'AWS::EventSchemas::Registry',
      'AWS::EventSchemas::Schema',
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Route',
      'AWS::ApiGatewayV2::Stage',
    ]);
    const assets = readdirSync(out).filter((name) => name.startsWith('asset.'));
    expect(assets.some((asset) => existsSync(path.join(out, asset, 'index.js'))), 'the bundled handler').to.equal(true);
  });
});
