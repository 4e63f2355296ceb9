// Writes every secretGenerator file that a kustomization under DIR names and that does not exist yet
// (kustomize refuses to render without them).
//   --placeholders  a copy of <file>.example if there is one, else an empty file; only ever on a scratch copy.
//   --from-env      the content of K8S_<RES>_SECRETS for `.<res>.secrets`, from the environment or from the JSON
//                   object in SECRETS_JSON (GitHub's `toJSON(secrets)`); a file with no secret is an error, never
//                   a placeholder.
// Usage: node secrets-files.mjs DIR --placeholders|--from-env
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parse } from "yaml";

const [dir, mode] = process.argv.slice(2);
if (!dir || !["--placeholders", "--from-env"].includes(mode)) {
  console.error("usage: node secrets-files.mjs DIR --placeholders|--from-env");
  process.exit(2);
}
const root = resolve(dir);

const kustomizations = (at) => readdirSync(at, { withFileTypes: true }).flatMap((entry) =>
  entry.isDirectory() ? kustomizations(join(at, entry.name))
    : ["kustomization.yaml", "kustomization.yml", "Kustomization"].includes(entry.name) ? [join(at, entry.name)] : []);

// `.api.secrets` -> K8S_API_SECRETS; `.pg-app.secrets` -> K8S_PG_APP_SECRETS.
const variableFor = (file) => `K8S_${basename(file).replace(/^\./, "").replace(/\.secrets$/, "").replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}_SECRETS`;

const store = { ...JSON.parse(process.env.SECRETS_JSON || "{}"), ...process.env };

const missing = [];
for (const file of kustomizations(root)) {
  const generators = parse(readFileSync(file, "utf8"))?.secretGenerator ?? [];
  // envs: [path]; files: [path | key=path]; the legacy `env: path` too.
  const paths = generators.flatMap((g) => [
    ...[...(g.envs ?? []), ...(g.env ? [g.env] : [])].map((path) => ({ path, envFile: true })),
    ...(g.files ?? []).map((f) => ({ path: f.split("=").pop(), envFile: false })),
  ]);
  for (const { path, envFile } of paths) {
    const target = join(dirname(file), path);
    const shown = target.slice(root.length + 1);
    if (existsSync(target)) continue;
    if (mode === "--from-env") {
      const variable = variableFor(target);
      if (store[variable] === undefined) {
        missing.push(`${shown} (secret ${variable})`);
        continue;
      }
      // An env file gets its final newline; a `files:` value is written byte for byte (a password has none).
      const content = envFile && !store[variable].endsWith("\n") ? `${store[variable]}\n` : store[variable];
      writeFileSync(target, content, { mode: 0o600 });
      console.log(`wrote ${shown} from ${variable}`);
    } else if (existsSync(`${target}.example`)) {
      copyFileSync(`${target}.example`, target);
      console.log(`placeholder ${shown} (from .example)`);
    } else {
      writeFileSync(target, "");
      console.log(`placeholder ${shown} (empty)`);
    }
  }
}

if (missing.length > 0) {
  console.error(`No secret for: ${missing.join(", ")}`);
  process.exit(1);
}
