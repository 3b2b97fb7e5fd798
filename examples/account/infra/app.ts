// Created by esre for account-service. This file is yours: esre never overwrites it.
// Deploy with `npx cdk deploy` (synthesize only: `npx cdk synth`).

import { App } from 'aws-cdk-lib';
import { AccountServiceStack } from './account-service-stack.js';

const app = new App();

// `npx cdk deploy -c importEventBus=true` uses an existing bus instead of creating one.
const importEventBus = String(app.node.tryGetContext('importEventBus') ?? 'false') === 'true';

new AccountServiceStack(app, 'account-service', {
  importEventBus,
  // The account and region of the AWS CLI profile in use; unset (environment-agnostic) without one.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
