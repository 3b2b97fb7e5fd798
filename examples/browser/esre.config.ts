import { defineConfig } from 'event-sourced-rules-engine/schema';

export default defineConfig({
  schemas: ['schemas/*.schema.ts'],
  output: 'src/generated',
  rules: 'src/rules',
  cdk: false,
});
