// Serves a supergraph through the Hive Gateway runtime on Node's HTTP server, set up for the
// router benchmark: 127.0.0.1 only, `x-stack-user` forwarded to the subgraphs, no request
// merging or deduplication, no landing page or GraphiQL, no usage reporting.
//
//   NODE_ENV=production node hive-gateway.mjs path/to/supergraph.graphql 4200
//
// The supergraph path and port may also come from SUPERGRAPH and PORT.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';

const PROPAGATED = 'x-stack-user';

function settings() {
  const supergraph = process.argv[2] ?? process.env.SUPERGRAPH;
  const port = Number(process.argv[3] ?? process.env.PORT);
  if (!supergraph || !Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error('usage: node hive-gateway.mjs SUPERGRAPH_FILE PORT');
    process.exit(2);
  }
  return { sdl: readFileSync(supergraph, 'utf8'), port };
}

const { sdl, port } = settings();

const gateway = createGatewayRuntime({
  // The SDL itself rather than its path: nothing to watch or poll.
  supergraph: sdl,
  logging: 'error',
  landingPage: false,
  graphiql: false,
  // No `reporting` entry: no usage reporting to Hive Console or GraphOS.
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ [PROPAGATED]: request.headers.get(PROPAGATED) }),
  },
  // Merging: the runtime batches the subgraph operations issued in one tick into one
  // request per subgraph unless this is false.
  __experimental__batchExecution: false,
  // Deduplication, both ways: identical client requests in flight (off by default) and
  // identical subgraph requests in flight (on by default in the HTTP executor).
  inboundInflightRequestDeduplication: false,
  transportEntries: {
    '*.http': { options: { deduplicateInflightRequests: false } },
  },
});

const server = createServer(gateway);
server.listen(port, '127.0.0.1', () => {
  console.error(`hive gateway on http://127.0.0.1:${port}${gateway.graphqlEndpoint}`);
});

// The runtime answers SIGTERM and SIGINT by disposing of itself but leaves the HTTP server
// open, so the process would not end: stop it here.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
