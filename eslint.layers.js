// Which folder of src/ may import which (docs/architecture.md §7), as import-x/no-restricted-paths
// zones. A zone forbids everything in src/ to its target but what `except` names, so a new folder is
// forbidden until someone decides where it sits. Paths are relative to the repository root.

/** A layer that may import only itself and the layers named. */
const only = (layer, allowed, message) => ({
  target: `./src/${layer}`,
  from: './src',
  except: [layer, ...allowed].map((name) => `./${name}`),
  message,
});

/** The shells: they wire the layers together, and nothing below them may import one. */
const SHELLS = ['cli', 'functions', 'runtime', 'dev', 'bench'].map((name) => `./src/${name}`);

export const layerZones = [
  only('domain', [], 'src/domain is the leaf vocabulary: it imports nothing from src.'),
  only('ports', ['domain'], 'src/ports imports only src/domain.'),
  only(
    'core',
    ['ports', 'domain'],
    'src/core is pure: it imports only ports, domain and itself; adapters are injected.',
  ),
  only(
    'adapters',
    ['ports', 'domain'],
    'An adapter implements a port: it imports ports and domain, never core, worker, sim or a shell.',
  ),
  only(
    'worker',
    ['ports', 'domain'],
    "src/worker sees queues through src/ports/queue.ts, never an adapter's internals.",
  ),
  only('sim', ['ports', 'domain'], 'src/sim is a dev tool: it imports ports and domain, never an adapter.'),
  {
    // Settings are read by the shells, and read nothing of theirs.
    target: './src/config',
    from: [...SHELLS, './src/worker', './src/sim'],
    message: 'src/config is read by the shells; it imports none of them.',
  },
  {
    // The Function must not load dev tools, and the composition root must not depend on its callers.
    target: ['./src/runtime', './src/functions'],
    from: ['./src/cli', './src/dev', './src/bench', './src/sim'],
    message: 'The Function and its composition root never load the CLI or the dev tools.',
  },
  {
    target: ['./src/cli', './src/functions'],
    from: './src/adapters',
    message: 'Commands get their adapters from src/runtime/compose.ts, the one composition root.',
  },
  {
    // Type-only modules, so that every implementation can import them without a cycle.
    target: ['./src/sim/types.ts', './src/sim/fault-types.ts'],
    from: './src/sim',
    except: ['./types.ts', './fault-types.ts'],
    message: "The simulator's types files import only other types files.",
  },
];
