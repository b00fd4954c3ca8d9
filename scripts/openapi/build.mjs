// docs/openapi.yaml is the source; docs/openapi.json is what stratd embeds
// and serves (stratd has no YAML parser). This writes the JSON, or with
// --check fails when the committed JSON is not the YAML's.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
const yamlPath = docs + 'openapi.yaml';
const jsonPath = docs + 'openapi.json';

// Duplicate keys are errors (the yaml package's default); so is anything
// JSON cannot hold.
const doc = parse(readFileSync(yamlPath, 'utf8'), { prettyErrors: true, strict: true });
const json = JSON.stringify(doc, null, 2) + '\n';

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(jsonPath, 'utf8');
  } catch {
    // missing: reported below
  }
  if (committed !== json) {
    console.error('docs/openapi.json is not docs/openapi.yaml converted: run `node scripts/openapi/build.mjs`');
    process.exit(1);
  }
  console.log('docs/openapi.json matches docs/openapi.yaml');
} else {
  writeFileSync(jsonPath, json);
  console.log(`wrote ${jsonPath} (${json.length} bytes)`);
}
