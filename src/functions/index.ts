import { app, trigger } from '@azure/functions';
import { loadSettings } from '../config/settings.js';
import { composeFunctionRuntime, type Runtime } from '../runtime/compose.js';
import { createQueueHandler } from './queue-handler.js';

/**
 * The Functions entry point (package.json `main`): wiring only. Settings are validated when the host
 * loads the app, so a bad setting stops start-up with one line naming it; the adapters are built on
 * the first message and reused.
 */
const settings = loadSettings(process.env);

let runtime: Promise<Runtime> | undefined;
function getRuntime(): Promise<Runtime> {
  runtime ??= composeFunctionRuntime(settings).catch((e: unknown) => {
    runtime = undefined; // a failed start-up (e.g. storage not reachable yet) is retried next message
    throw e;
  });
  return runtime;
}

app.generic('deliver', {
  trigger: trigger.generic({
    type: 'queueTrigger',
    queueName: '%HR_COURIER_QUEUE%',
    connection: 'AzureWebJobsStorage',
    // The exact bytes, not a string the library would JSON-parse: poison must get the original.
    dataType: 'binary',
  }),
  handler: createQueueHandler(getRuntime),
});
