import { describeRoomRegistryContract } from './room-registry.contract.js';
import { InMemoryRoomRegistry } from './in-memory-room-registry.js';

describeRoomRegistryContract('InMemoryRoomRegistry', () =>
  Promise.resolve({ registry: new InMemoryRoomRegistry(), dispose: () => Promise.resolve() }),
);
