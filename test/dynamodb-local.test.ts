import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { type DynamoDBLocalServer, sharedDynamoDBLocal, startDynamoDBLocal, useDynamoDBLocal } from './support/dynamodb-local.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('the DynamoDB Local test harness', function () {
  this.timeout(90_000);
  const local = useDynamoDBLocal();

  it('shares one server per test run, on a loopback endpoint', async () => {
    expect(await sharedDynamoDBLocal()).to.equal(local().server);
    expect(local().server.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { TableNames } = await local().client.send(new ListTablesCommand({}));
    expect(TableNames).to.be.an('array');
  });

  describe('a server of its own', () => {
    let server: DynamoDBLocalServer | undefined;
    after(async () => server?.stop());

    it('starts on another free port and stop() ends its java process', async () => {
      server = await startDynamoDBLocal();
      expect(server.port).to.not.equal(local().server.port);
      expect(isRunning(server.pid)).to.equal(true);
      await server.stop();
      expect(isRunning(server.pid)).to.equal(false);
      await server.stop(); // stopping twice is harmless
    });
  });
});
