// Composes a supergraph with Apollo's composition (`@apollo/composition`, the library behind
// `rover supergraph compose`) for the peers of the router benchmark.
//
//   echo '[{"name":"todo","url":"http://127.0.0.1:4001/graphql","sdl":"..."}]' \
//     | node compose.mjs > supergraph.graphql
//
// Reads the subgraphs as a JSON array on stdin and writes the supergraph SDL to stdout, or the
// composition errors to stderr with exit status 1.

import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

let input = '';
for await (const chunk of process.stdin) {
  input += chunk;
}

let subgraphs;
try {
  subgraphs = JSON.parse(input).map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) }));
} catch (error) {
  console.error(`compose.mjs: bad input: ${error.message}`);
  process.exit(1);
}

const result = composeServices(subgraphs);
if (result.errors) {
  console.error(result.errors.map((error) => error.message).join('\n'));
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
