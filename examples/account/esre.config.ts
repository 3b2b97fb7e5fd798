import { defineConfig } from 'event-sourced-rules-engine/schema';

export default defineConfig({
  schemas: ['schemas/*.schema.ts'],
  output: 'src/generated',
  rules: 'src/rules',
  service: { name: 'account-service', eventSource: 'com.example.account', eventBusName: 'domain-events', api: true },
  cdk: { output: 'infra' },
});
