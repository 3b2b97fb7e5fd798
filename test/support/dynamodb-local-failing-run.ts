/**
 * Not a test file of its own (its name does not end in `.test.ts`): `dynamodb-local.test.ts`
 * runs it in a child mocha process to see the harness stop the shared DynamoDB Local server
 * when a run ends with a failing test. It prints the server's process id, then whether that
 * process still runs once the harness's root `after` hook is done.
 */
import { useDynamoDBLocal } from './dynamodb-local.js';

let pid: number | undefined;

function isRunning(processId: number): boolean {
  try {
    process.kill(processId, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('a run whose test fails', function () {
  const local = useDynamoDBLocal();

  it('fails once the shared server runs', () => {
    pid = local().server.pid;
    console.log(`DYNAMODB_LOCAL_PID=${pid}`);
    throw new Error('deliberate failure');
  });
});

// A root hook registered after the harness's own (the import above registered that one), so
// mocha runs it once the harness has stopped the server.
after(() => {
  console.log(`DYNAMODB_LOCAL_RUNNING_AFTER_RUN=${pid !== undefined && isRunning(pid)}`);
});
