import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { eventBridgeEventSchema, type JsonSchemaDocument } from './event-schema.js';

/** Props of {@link OutboundEventSchemas}. */
export interface OutboundEventSchemasProps {
  /** `Source` of the events, as configured for the publisher. */
  readonly source: string;
  /** The payload JSON Schema of each outbound event type, keyed by event type. */
  readonly schemas: Readonly<Record<string, JsonSchemaDocument>>;
  /** Name of the registry (default: the source with characters EventBridge refuses replaced by `-`). */
  readonly registryName?: string;
  /**
   * The schema version of each event type as the compiler counts it (`esre.lock.json` goes up by
   * one each time an outbound event's schema changes); named in the schema's description. A
   * changed schema's content is deployed as a new version of the registry schema either way.
   */
  readonly versions?: Readonly<Record<string, number>>;
  readonly description?: string;
}

/**
 * An EventBridge schema registry holding one schema per outbound event type, named
 * `<source>@<event type>` (the convention of EventBridge schema discovery), each describing
 * the whole event as published (see `eventBridgeEventSchema`). Consumers can download code
 * bindings for them.
 */
export class OutboundEventSchemas extends Construct {
  readonly registry: CfnRegistry;
  /** The schema resources, keyed by event type. */
  readonly schemas: Readonly<Record<string, CfnSchema>>;

  constructor(scope: Construct, id: string, props: OutboundEventSchemasProps) {
    super(scope, id);
    const registryName = props.registryName ?? props.source.replace(/[^A-Za-z0-9._-]/g, '-');
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName,
      description: props.description ?? `Outbound events of ${props.source}`,
    });
    const schemas: Record<string, CfnSchema> = {};
    for (const eventType of Object.keys(props.schemas).sort()) {
      const schema = new CfnSchema(this, `Schema${eventType.replace(/[^A-Za-z0-9]/g, '')}`, {
        registryName: this.registry.attrRegistryName,
        schemaName: `${props.source}@${eventType}`,
        type: 'JSONSchemaDraft4',
        description: `${eventType} published by ${props.source}${props.versions?.[eventType] === undefined ? '' : ` (schema version ${props.versions[eventType]})`}`,
        content: JSON.stringify(eventBridgeEventSchema(props.source, eventType, props.schemas[eventType]!)),
      });
      schemas[eventType] = schema;
    }
    this.schemas = schemas;
  }
}
