import path from 'node:path';
import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';
import type { AggregateModel } from '../model.js';

/**
 * `<aggregate>.md`: a Mermaid flowchart of the aggregate (inbound events → rules → state, the
 * outbound events the rules may publish, indexes over the state) and tables of the same. Like
 * every generated file it depends only on the config and the schema module, never on the rule
 * files: writing a rule never makes it stale. Which rule publishes which outbound event is
 * therefore not drawn (the schema declares only what the aggregate's rules may publish).
 */
export const diagramEmitter: Emitter = {
  name: 'diagram',
  emit(context: EmitContext): EmittedFile[] {
    return context.model.aggregates.map((aggregate) => ({
      path: path.join(aggregate.outputDir, `${aggregate.folder}.md`),
      owner: 'generator',
      content: markdown(context, aggregate),
    }));
  },
};

function markdown(context: EmitContext, aggregate: AggregateModel): string {
  const rulesFolder = context.projectPath(aggregate.rulesDir);
  const header = context.headerLines([aggregate.schemaFile]);
  const lines: string[] = [
    `<!-- ${header[0]} -->`,
    `<!-- ${header[1]} -->`,
    '',
    `# ${aggregate.pascal} (\`${aggregate.type}\`)`,
    '',
  ];
  if (aggregate.description) lines.push(aggregate.description, '');
  lines.push('```mermaid', 'flowchart LR');
  lines.push('  subgraph inbound [Inbound events]');
  for (const event of aggregate.inbound) lines.push(`    in_${event.type}[/"${event.type}"/]`);
  lines.push('  end', '  subgraph rules [Rules]');
  for (const event of aggregate.inbound) lines.push(`    rule_${event.type}("${event.camel}")`);
  lines.push('  end');
  if (aggregate.outbound.length > 0) {
    lines.push('  subgraph outbound [Outbound events]');
    for (const event of aggregate.outbound) lines.push(`    out_${event.type}[\\"${event.type}"\\]`);
    lines.push('  end');
  }
  lines.push(`  state[("${aggregate.pascal} state")]`);
  for (const event of aggregate.inbound) {
    lines.push(`  in_${event.type} --> rule_${event.type}`, `  rule_${event.type} --> state`);
  }
  if (aggregate.outbound.length > 0) lines.push('  rules -. may publish .-> outbound');
  for (const index of aggregate.indexes) {
    const key = index.kind === 'path' ? `state.${index.path}` : `${index.exportName}()`;
    lines.push(`  state --> index_${index.name}{{"${index.name}: ${key}"}}`);
  }
  lines.push('```', '', '| Inbound event | Rule file |', '| --- | --- |');
  for (const event of aggregate.inbound) {
    lines.push(`| \`${event.type}\` | \`${rulesFolder}/${path.basename(aggregate.rules.get(event.type)!.file)}\` |`);
  }
  if (aggregate.outbound.length > 0) {
    lines.push('', '| Outbound event | JSON Schema |', '| --- | --- |');
    for (const event of aggregate.outbound) lines.push(`| \`${event.type}\` | \`events/outbound/${event.type}.schema.json\` |`);
  }
  if (aggregate.indexes.length > 0) {
    lines.push('', '| Index | Key | Query |', '| --- | --- | --- |');
    for (const index of aggregate.indexes) {
      const key = index.kind === 'path' ? `\`state.${index.path}\`` : `\`${index.exportName}\` in \`${context.projectPath(index.module!)}\``;
      lines.push(`| \`${index.name}\` | ${key} | \`query${index.pascal}(key)\` |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
