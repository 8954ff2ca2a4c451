import * as fs from 'node:fs';
import * as path from 'node:path';

/** The infra/ folder, found from here whether the app runs from lib/ (tests) or dist/lib/ (compiled). */
export const INFRA_ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();
