import { describeGateStoreContract } from '../contracts/gate-store.js';
import { createManualClock } from './clock.js';
import { createMemoryGateStore } from './gate-store.js';

describeGateStoreContract('in-memory fake', () =>
  Promise.resolve({
    store: createMemoryGateStore({ clock: createManualClock(Date.now()) }),
    close: () => Promise.resolve(),
  }),
);
