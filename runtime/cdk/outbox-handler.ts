import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CfnGlobalTable, CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { OUTBOX_INSERT_FILTER_PATTERN } from '../dynamodb/layout.js';
import { OUTBOX_HANDLER_ENVIRONMENT } from '../eventbridge/lambda-environment.js';
import { outboxHandlerEntry } from './handler-entry.js';
import { LAMBDA_NODE_OPTIONS, LAMBDA_RUNTIME, lambdaBundling } from './lambda-function.js';

/** Props of {@link DynamoDBOutboxEventBridgeHandler}. */
export interface DynamoDBOutboxEventBridgeHandlerProps {
  /** The event store's table; it must have a stream with new images (an `EventSourcedTable` has). */
  readonly table: ITable;
  /** Where the events go. The function may call PutEvents on this bus only. */
  readonly eventBus: IEventBus;
  /** `Source` of the published events, e.g. `"account-service"`. */
  readonly source: string;
  /** Stream records per invocation (default 100). */
  readonly batchSize?: number;
  /** How long to gather records before invoking (default: none). */
  readonly maxBatchingWindow?: Duration;
  /** Retries of a failing batch before its records go to the dead-letter queue (default 10). */
  readonly retryAttempts?: number;
  /** Oldest record age Lambda still processes (default 1 day). */
  readonly maxRecordAge?: Duration;
  /** Where records that still fail end up (default: a new SQS queue, encrypted, TLS only, 14 days). */
  readonly deadLetterQueue?: IQueue;
  /** Where the stream is read from on first deploy (default TRIM_HORIZON: nothing is skipped). */
  readonly startingPosition?: StartingPosition;
  /** Memory of the function in MB (default 256). */
  readonly memorySize?: number;
  /** Timeout of the function (default 1 minute). */
  readonly timeout?: Duration;
  /** Retention of the function's log group (default one month). */
  readonly logRetention?: RetentionDays;
  /** Largest PutEvents entry in bytes (default 256 KiB). */
  readonly maxEntryBytes?: number;
}

/**
 * Publishes a `DynamoEventStore` table's outbox records to EventBridge: a Node.js 22 Lambda
 * (the package's `createDynamoDBStreamToEventBridgeHandler`, bundled with the local esbuild,
 * no Docker) on the table's stream.
 *
 * - An event-source filter lets only outbox inserts invoke the function.
 * - `ReportBatchItemFailures` is on: the handler names the first record it could not
 *   deliver, and Lambda retries from there.
 * - A failing batch is bisected, retried a bounded number of times, then sent to an SQS
 *   dead-letter queue. One shard is processed by one invocation at a time, so order per
 *   aggregate is kept.
 * - Least privilege: its own role, PutEvents on the given bus only, read on this table's
 *   stream, send on the dead-letter queue, write on its own log group.
 */
export class DynamoDBOutboxEventBridgeHandler extends Construct {
  /** The Lambda function. */
  readonly function: NodejsFunction;
  /** Where records that could not be delivered end up. */
  readonly deadLetterQueue: IQueue;
  /** The function's execution role. */
  readonly role: Role;
  /** The function's log group. */
  readonly logGroup: LogGroup;
  /** The stream event source. */
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: DynamoDBOutboxEventBridgeHandlerProps) {
    super(scope, id);
    if (!props.source || props.source.startsWith('aws.')) {
      throw new Error(`${this.node.path}: \`source\` must be a non-empty string not starting with "aws."`);
    }
    const viewType = streamViewTypeOf(props.table);
    if (!props.table.tableStreamArn || viewType === null || (viewType !== undefined && !viewType.includes('NEW'))) {
      throw new Error(
        `${this.node.path}: the table has no stream with new images (found ${viewType ?? 'none'}); ` +
          'enable one with view type NEW_IMAGE (EventSourcedTable does)',
      );
    }

    this.logGroup = new LogGroup(this, 'LogGroup', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Publishes outbox records from the event store stream to EventBridge',
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: outboxHandlerEntry(),
      handler: 'handler',
      ...LAMBDA_RUNTIME,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      description: 'event-sourced-rules-engine: DynamoDB stream outbox to EventBridge',
      environment: {
        [OUTBOX_HANDLER_ENVIRONMENT.source]: props.source,
        [OUTBOX_HANDLER_ENVIRONMENT.eventBusName]: props.eventBus.eventBusName,
        ...(props.maxEntryBytes === undefined ? {} : { [OUTBOX_HANDLER_ENVIRONMENT.maxEntryBytes]: String(props.maxEntryBytes) }),
        ...LAMBDA_NODE_OPTIONS,
      },
      bundling: lambdaBundling(),
    });

    this.deadLetterQueue =
      props.deadLetterQueue ??
      new Queue(this, 'DeadLetterQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });

    this.eventSource = new DynamoEventSource(props.table, {
      startingPosition: props.startingPosition ?? StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      ...(props.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: props.maxBatchingWindow }),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: props.retryAttempts ?? 10,
      maxRecordAge: props.maxRecordAge ?? Duration.days(1),
      parallelizationFactor: 1,
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: [{ pattern: JSON.stringify(OUTBOX_INSERT_FILTER_PATTERN) }],
    });
    this.function.addEventSource(this.eventSource);
    props.eventBus.grantPutEventsTo(this.function);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The handler is bundled and tested for Node.js 22 (target node22); moving to a newer runtime is a deliberate, tested upgrade of this construct.',
    });
    if (!props.deadLetterQueue) {
      Validations.of(this.deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue (on-failure destination) of the stream event source.',
      });
    }
  }
}

/**
 * The stream view type of a table defined in this app: a string, `null` when it has no
 * stream, `undefined` when it cannot be known (an imported table).
 */
function streamViewTypeOf(table: ITable): string | null | undefined {
  const resource = table.node.defaultChild;
  if (!(resource instanceof CfnGlobalTable || resource instanceof CfnTable)) return undefined;
  const specification = Stack.of(resource).resolve(resource.streamSpecification) as { streamViewType?: unknown } | undefined;
  if (!specification) return null;
  return typeof specification.streamViewType === 'string' ? specification.streamViewType : undefined;
}
