//! Template of the CDK app entry, created once by esre (the user may edit it).
import { App } from 'aws-cdk-lib';
import { TemplateServiceStack } from './template-service-stack.js';

const app = new App();

// `npx cdk deploy -c importEventBus=true` uses an existing bus instead of creating one.
const importEventBus = String(app.node.tryGetContext('importEventBus') ?? 'false') === 'true';

new TemplateServiceStack(app, 'template-service', {
  importEventBus,
  // The account and region of the AWS CLI profile in use; unset (environment-agnostic) without one.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
