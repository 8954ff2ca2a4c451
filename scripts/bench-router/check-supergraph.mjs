// Checks that Apollo's federation tooling accepts a supergraph: `@apollo/gateway` loads it, and
// Apollo's query planner plans a query over it (by default the router benchmark's, which needs
// both of the app's subgraphs). Nothing is fetched: the gateway is given the SDL and is stopped
// without serving a request.
//
//   APOLLO_TELEMETRY_DISABLED=true node check-supergraph.mjs ../../examples/router/supergraph.graphql
//   APOLLO_TELEMETRY_DISABLED=true node check-supergraph.mjs other.graphql '{ products { upc } }'
//
// Prints the plan and exits 0, or prints what was refused and exits 1 (2 on bad usage).

import { readFileSync } from 'node:fs';

import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { ApolloGateway } from '@apollo/gateway';
import { QueryPlanner, prettyFormatQueryPlan } from '@apollo/query-planner';
import { parse } from 'graphql';

// The router benchmark's query.
const BENCHMARK_QUERY = '{ todos(first: 10) { nodes { title attachments { id status } } } }';

const path = process.argv[2] ?? process.env.SUPERGRAPH;
if (!path) {
  console.error('usage: node check-supergraph.mjs SUPERGRAPH_FILE [QUERY]');
  process.exit(2);
}
if (process.env.APOLLO_TELEMETRY_DISABLED !== 'true') {
  console.error('refusing to start: set APOLLO_TELEMETRY_DISABLED=true');
  process.exit(2);
}
const supergraphSdl = readFileSync(path, 'utf8');
const query = process.argv[3] ?? BENCHMARK_QUERY;

try {
  const gateway = new ApolloGateway({ supergraphSdl });
  await gateway.load();
  await gateway.stop();
  console.log(`@apollo/gateway loaded ${path}`);

  const supergraph = Supergraph.build(supergraphSdl);
  const planner = new QueryPlanner(supergraph);
  const operation = operationFromDocument(supergraph.schema, parse(query));
  console.log(prettyFormatQueryPlan(planner.buildQueryPlan(operation)));
} catch (error) {
  // Federation's errors list their causes in the message.
  console.error(`refused: ${error.message}`);
  process.exit(1);
}
