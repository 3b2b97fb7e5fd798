import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';
import { CompilerError } from '../errors.js';
import type { AggregateModel, EventModel } from '../model.js';
import { camelCase, kebabCase, pascalCase, quote } from '../names.js';
import { instantiate, readTemplate } from '../template.js';
import { jsonSchemaDocument } from './json-schemas.js';

/**
 * The CDK deployment of the service, in the `cdk.output` folder (default `infra/`):
 * - `<service>-stack.ts` (generated, rewritten on every run): the event store table, the event
 *   bus (created, or imported with `-c importEventBus=true`), the outbox publisher and a schema
 *   registry with one schema per outbound event, read from the generated JSON Schemas; with
 *   `service.api` on, the HTTP API (`EventSourcedHttpApi`) over each served aggregate's
 *   generated `api.ts`, with the settings of `service.api` and the `ApiUrl` output;
 * - `app.ts` (created once, yours): the CDK app entry;
 * - `cdk.json` at the project root (created once, yours): runs the app with tsx (see
 *   {@link cdkAppCommand}).
 * Then `npx cdk synth` / `npx cdk deploy` in the project folder is all it takes.
 */
export const cdkEmitter: Emitter = {
  name: 'cdk',
  emit(context: EmitContext): EmittedFile[] {
    const { service, cdkOutput, root } = context.config;
    if (cdkOutput === null || service === null) return [];
    const stackFile = path.join(cdkOutput, `${kebabCase(service.name)}-stack.ts`);
    const appFile = path.join(cdkOutput, 'app.ts');
    const stackClass = `${pascalCase(service.name)}Stack`;
    const tokens: Record<string, string> = {
      TemplateServiceStackProps: `${stackClass}Props`,
      TemplateServiceStack: stackClass,
      templateServiceSettings: `${camelCase(service.name)}Settings`,
      "'template-service'": quote(service.name),
      "'com.example.template'": quote(service.eventSource),
      "'template-events'": quote(service.eventBusName),
      "'./template-service-stack.js'": quote(context.specifier(appFile, stackFile)),
      'template-service': service.name,
      ...httpApiTokens(context),
    };
    const httpApi = servedAggregates(context).length > 0 ? [{}] : [];
    const httpApiCors = httpApi.length > 0 && context.config.api?.cors ? [{}] : [];
    // `Duration` is imported for the CORS preflight's maxAge only
    if (httpApiCors.length === 0) tokens["import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';"] = "import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';";

    const outbound = outboundEvents(context.model.aggregates).map(({ aggregate, event }) => ({
      SOMETHING_PUBLISHED: event.type,
      // Indented to sit in the object literal it is a property of.
      "{ title: 'SOMETHING_PUBLISHED' }": JSON.stringify(jsonSchemaDocument(context, aggregate, event), null, 2).replace(/\n/g, '\n  '),
      'SOMETHING_PUBLISHED: 1,': `${event.type}: ${context.lock?.aggregates[aggregate.type]?.outbound[event.type]?.version ?? 1},`,
    }));
    const sources = [context.config.file, ...context.model.aggregates.map((aggregate) => aggregate.schemaFile)];
    const stack = `${context.tsHeader(sources)}\n\n${instantiate(readTemplate('cdk/template-service-stack.ts'), { tokens, lists: { outbound, httpApi, httpApiCors } })}`;
    const appHeader =
      `// Created by esre for ${service.name}. This file is yours: esre never overwrites it.\n` +
      `// Deploy with \`npx cdk deploy\` (synthesize only: \`npx cdk synth\`).`;
    const app = `${appHeader}\n\n${instantiate(readTemplate('cdk/app.ts'), { tokens })}`;
    const cdkJson = {
      app: cdkAppCommand(toPosix(path.relative(root, appFile)), { sourceCondition: RUNNING_FROM_SOURCES }),
      watch: { include: [toPosix(path.relative(root, cdkOutput)) + '/**'] },
      context: { importEventBus: false },
    };
    return [
      { path: stackFile, owner: 'generator', language: 'typescript', content: stack },
      { path: appFile, owner: 'user', role: 'infra', language: 'typescript', content: app },
      { path: path.join(root, 'cdk.json'), owner: 'user', role: 'infra', content: `${JSON.stringify(cdkJson, null, 2)}\n` },
    ];
  },
};

/** The aggregates the HTTP service serves (none when `service.api` is off). */
function servedAggregates(context: EmitContext): AggregateModel[] {
  return context.config.api === null ? [] : context.model.aggregates.filter((aggregate) => aggregate.api);
}

/**
 * The tokens of the template's HTTP API parts: its settings from `service.api` and, per served
 * aggregate, its path segment and generated handler module (relative to the project folder,
 * where `npx cdk` runs). Without a served aggregate the `projectRoot` prop goes away with them.
 */
function httpApiTokens(context: EmitContext): Record<string, string> {
  const { api, root } = context.config;
  const served = servedAggregates(context);
  const name = camelCase(context.config.service!.name);
  if (api === null || served.length === 0) return { 'projectRoot = process.cwd(), ': '' };
  const entries = served.map(
    (aggregate) =>
      `    { path: ${quote(aggregate.folder)}, entry: ${quote(toPosix(path.relative(root, path.join(aggregate.outputDir, 'api.ts'))))}, indexQueries: ${aggregate.indexes.length > 0} },`,
  );
  return {
    templateServiceApi: `${name}Api`,
    "auth: 'iam',": `auth: ${quote(api.auth)},`,
    'throttling: { rateLimit: 50, burstLimit: 100 },': `throttling: { rateLimit: ${api.throttling.rateLimit}, burstLimit: ${api.throttling.burstLimit} },`,
    ...(api.cors
      ? {
          "cors: { allowOrigins: ['https://app.example.com'], allowHeaders: [], maxAge: 600 },": `cors: { allowOrigins: [${api.cors.allowOrigins.map(quote).join(', ')}], allowHeaders: [${api.cors.allowHeaders.map(quote).join(', ')}], maxAge: ${api.cors.maxAge} },`,
        }
      : {}),
    "aggregates: [{ path: 'template', entry: 'src/generated/template/api.ts', indexQueries: true }],": `aggregates: [\n${entries.join('\n')}\n  ],`,
  };
}

/**
 * Whether this package runs from its TypeScript sources (a checkout of its repository, where
 * `runtime/cdk/index.ts` sits two folders above this file) rather than from `dist/` (installed
 * from npm, where `dist/compiler/emitters/` has no `runtime/` sources two folders up).
 */
const RUNNING_FROM_SOURCES = existsSync(fileURLToPath(new URL('../../runtime/cdk/index.ts', import.meta.url)));

/**
 * The `app` command of `cdk.json`: runs the app entry (a project-relative, `/`-separated path)
 * with tsx. `sourceCondition` adds `--conditions=esre-source`, which makes the package's own
 * name resolve to its TypeScript sources: right inside a checkout of this repository (the
 * examples), wrong for an installed package, which ships only `dist/` (every import of the
 * package would fail with ERR_MODULE_NOT_FOUND).
 */
export function cdkAppCommand(appEntry: string, options: { readonly sourceCondition: boolean }): string {
  return `node ${options.sourceCondition ? '--conditions=esre-source ' : ''}--import tsx ${appEntry}`;
}

/**
 * Outbound events of all aggregates, sorted by type. EventBridge tells events apart by
 * `source` and `detail-type` only, so one type published by two aggregates must have one schema.
 */
function outboundEvents(aggregates: readonly AggregateModel[]): { aggregate: AggregateModel; event: EventModel }[] {
  const byType = new Map<string, { aggregate: AggregateModel; event: EventModel }>();
  for (const aggregate of aggregates) {
    for (const event of aggregate.outbound) {
      const seen = byType.get(event.type);
      if (!seen) byType.set(event.type, { aggregate, event });
      else if (JSON.stringify(seen.event.jsonSchema) !== JSON.stringify(event.jsonSchema)) {
        throw new CompilerError(
          `outbound event ${event.type} is published by ${seen.aggregate.type} and ${aggregate.type} with different payload schemas; ` +
            'EventBridge would see one detail-type with two shapes. Rename one of them.',
        );
      }
    }
  }
  return [...byType.values()].sort((a, b) => (a.event.type < b.event.type ? -1 : a.event.type > b.event.type ? 1 : 0));
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
