/** Testing helpers: the EventStore contract suite and given/when/then for rules. */
export { describeEventStoreContract, type ContractOptions } from './contract.js';
export {
  given,
  type WhenStep,
  type ThenStep,
  type PublishedEvent,
  type GivenOptions,
  type ScenarioEvent,
  type ScenarioSubject,
} from './given.js';
