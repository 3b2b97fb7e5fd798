/** Testing helpers: the EventStore contract suite and given/when/then for rules. */
export { describeEventStoreContract, type ContractOptions } from './contract.js';
export { given, type WhenStep, type ThenStep, type PublishedEvent } from './given.js';
