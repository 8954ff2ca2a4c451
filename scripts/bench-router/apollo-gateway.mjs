// Serves a supergraph through `@apollo/gateway` on Apollo Server, set up for the router
// benchmark: 127.0.0.1 only, `x-stack-user` forwarded to the subgraphs, no subgraph APQ, no
// landing page, no usage or schema reporting, and the gateway's own telemetry off.
//
//   APOLLO_TELEMETRY_DISABLED=true NODE_ENV=production \
//     node apollo-gateway.mjs path/to/supergraph.graphql 4100
//
// The supergraph path and port may also come from SUPERGRAPH and PORT.

import { readFileSync } from 'node:fs';

import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';

const PROPAGATED = 'x-stack-user';

function settings() {
  const supergraph = process.argv[2] ?? process.env.SUPERGRAPH;
  const port = Number(process.argv[3] ?? process.env.PORT);
  if (!supergraph || !Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error('usage: node apollo-gateway.mjs SUPERGRAPH_FILE PORT');
    process.exit(2);
  }
  if (process.env.APOLLO_TELEMETRY_DISABLED !== 'true') {
    console.error('refusing to start: set APOLLO_TELEMETRY_DISABLED=true');
    process.exit(2);
  }
  return { supergraphSdl: readFileSync(supergraph, 'utf8'), port };
}

// Copies the caller header from the client request to every subgraph request.
class BenchDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context.user) {
      request.http.headers.set(PROPAGATED, context.user);
    }
  }
}

const { supergraphSdl, port } = settings();

const gateway = new ApolloGateway({
  supergraphSdl,
  // The gateway has no in-flight deduplication of subgraph fetches; `apq: false` (also its
  // default) keeps subgraph requests to one plain POST each.
  buildService: ({ url }) => new BenchDataSource({ url, apq: false }),
});

const server = new ApolloServer({
  gateway,
  plugins: [
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
  ],
});

const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port },
  context: async ({ req }) => ({ user: req.headers[PROPAGATED] }),
});
console.error(`apollo gateway on ${url}`);
