'use strict';
// A stand-in for the module the Azure Functions host injects into the Node worker. @azure/functions
// resolves it with a plain require, so a test process with NODE_PATH pointing at test/functions/stand-in
// gets this one: it records what the app registers and lets the test invoke it the way the host does.

const registered = [];
const hooks = [];
let programmingModel;

module.exports = {
  version: '0.0.0-stand-in',
  setProgrammingModel(model) {
    programmingModel = model;
  },
  getProgrammingModel() {
    return programmingModel;
  },
  registerFunction(metadata, callback) {
    registered.push({ metadata, callback });
    return { dispose() {} };
  },
  registerHook(hookName, callback) {
    hooks.push({ hookName, callback });
    return { dispose() {} };
  },
  log() {},
  // For the test driver:
  registered,
  hooks,
};
