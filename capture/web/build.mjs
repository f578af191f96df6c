// Bundles src/app.ts into dist/app.js (minified, one file) and copies the page; prints each file's size and its
// gzip size (the page weight a compressed transfer carries). Fast when nothing changed: esbuild takes milliseconds.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/app.ts'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  outfile: 'dist/app.js',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/index.html', 'dist/index.html');

let raw = 0;
let compressed = 0;
for (const name of readdirSync('dist')) {
  const bytes = readFileSync(`dist/${name}`);
  const gz = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  compressed += gz;
  console.log(`dist/${name}: ${bytes.length} bytes, ${gz} gzip`);
}
console.log(`page weight: ${raw} bytes, ${compressed} bytes gzip`);
